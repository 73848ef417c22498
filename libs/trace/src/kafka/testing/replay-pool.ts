import { KafkaMessage } from 'kafkajs';
import { ActiveRead } from '../active-read';
import { RangeOutcome, RangeRead } from '../range-read';
import { ReaderPool } from '../reader-pool';

/**
 * A stand-in for ReaderPool that replays an in-memory log through the real ActiveRead, in batches,
 * so locator and facade tests exercise the same end/bound rules as the Kafka reader.
 */
export class ReplayPool {
  /** topic -> partition -> messages, offset = index. */
  logs = new Map<string, KafkaMessage[][]>();
  reads: { topic: string; partition: number; start: bigint; end: bigint }[] = [];
  /** When set, every read answers this instead. */
  outcome?: RangeOutcome;
  /** When set, reads never make progress (until their bound or abort). */
  stall = false;
  batchSize = 100;

  asPool(): ReaderPool {
    return this as unknown as ReaderPool;
  }

  append(topic: string, partition: number, key: string, value: unknown, timestamp = 0): string {
    const partitions = this.logs.get(topic) ?? [[], [], []];
    this.logs.set(topic, partitions);
    const log = partitions[partition];
    const offset = String(log.length);
    log.push({
      offset,
      key: Buffer.from(key),
      value: Buffer.from(JSON.stringify(value)),
      timestamp: String(timestamp),
      attributes: 0,
      headers: {},
    } as KafkaMessage);
    return offset;
  }

  async read(topic: string, request: RangeRead): Promise<RangeOutcome> {
    this.reads.push({ topic, partition: request.partition, start: request.start, end: request.end });
    if (this.outcome) return this.outcome;
    if (request.start >= request.end) return { kind: 'complete', read: 0, next: request.start };
    return new Promise<RangeOutcome>((resolve) => {
      const read = new ActiveRead(request, resolve);
      if (this.stall) return;
      const log = this.logs.get(topic)?.[request.partition] ?? [];
      for (let from = Number(request.start); !read.finished && from < log.length; from += this.batchSize) {
        const batch = log.slice(from, from + this.batchSize);
        read.take(batch, batch[0].offset, batch[batch.length - 1].offset);
      }
    });
  }
}
