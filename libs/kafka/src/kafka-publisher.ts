import { Injectable, Optional } from '@nestjs/common';
import { IHeaders, RecordMetadata } from 'kafkajs';
import { Settings } from '@lib/config';
import { chunksBySize, withTimeout } from '@lib/common';
import { Metrics } from '@lib/metrics';
import { KafkaClient } from './kafka.client';
import { partitionForKey } from './partition-for-key';
import { ProducedMessages, TracedRecord } from './produced-messages';

export interface OutgoingRecord {
  topic: string;
  key: string;
  value: string;
  headers?: IHeaders;
  /** The write this record carries: where it goes is remembered (ProducedMessages) for the trace endpoint. */
  traced?: TracedRecord;
}

/** How long a topic's partition count is trusted before it is read again. */
const PARTITION_COUNT_TTL_MS = 60_000;

/**
 * Kafka did not take the records within the bound: the caller answers 503 / retries the batch. `cause` is
 * kafkajs's error, which tells a broker fault from records the broker will never take (isDependencyFault).
 */
export class PublishError extends Error {
  override name = 'PublishError';
}

/**
 * Sends records as ONE batch per call (one request per broker), acknowledged by all in-sync
 * replicas, within KAFKA_PRODUCE_TIMEOUT_MS including connecting.
 */
@Injectable()
export class KafkaPublisher {
  private readonly partitionCounts = new Map<string, { count: number; at: number }>();

  constructor(
    private readonly client: KafkaClient,
    private readonly settings: Settings,
    @Optional() private readonly metrics?: Metrics,
    @Optional() private readonly produced?: ProducedMessages,
  ) {}

  /** Fails fast (PublishError) when Kafka cannot be reached, before the caller writes anything elsewhere. */
  async ready(): Promise<void> {
    try {
      await this.client.getProducer(this.settings.kafka.produceTimeoutMs);
    } catch (err) {
      this.metrics?.dependencyError('kafka', 'connect');
      throw new PublishError(`Kafka is unreachable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  async send(records: OutgoingRecord[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return [];
    const timeout = this.settings.kafka.produceTimeoutMs;
    try {
      const producer = await this.client.getProducer(timeout);
      const sent: RecordMetadata[] = [];
      // One request per chunk, in order (a key's records keep their order): a consumer batch of
      // hundreds of change logs in one request would exceed the broker's message.max.bytes (1 MiB)
      // and be refused every time, wedging the partition.
      for (const chunk of chunksOf(records, MAX_REQUEST_RECORD_BYTES)) {
        const byTopic = new Map<string, OutgoingRecord[]>();
        for (const r of chunk) {
          const list = byTopic.get(r.topic);
          if (list) list.push(r);
          else byTopic.set(r.topic, [r]);
        }
        const acknowledged = await withTimeout(
          producer.sendBatch({
            acks: -1,
            timeout,
            topicMessages: [...byTopic].map(([topic, rs]) => ({
              topic,
              messages: rs.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
            })),
          }),
          timeout,
          'Kafka',
        );
        sent.push(...acknowledged);
        this.remember(byTopic, acknowledged);
      }
      return sent;
    } catch (err) {
      this.metrics?.dependencyError('kafka', 'produce');
      throw new PublishError(`Kafka did not accept the write: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  /**
   * Records where each traced record of one acknowledged batch went. A partition's records of one batch are
   * appended in order from its base offset, and the producer's partitioner put each where partitionForKey says;
   * a batch whose partitions do not match the acknowledgement (the partition count just changed) is not recorded.
   * Never fails the send: the positions are only a hint for the trace.
   */
  private remember(byTopic: Map<string, OutgoingRecord[]>, acknowledged: RecordMetadata[]): void {
    if (!this.produced) return;
    const now = Date.now();
    for (const [topic, records] of byTopic) {
      if (!records.some((r) => r.traced)) continue;
      const count = this.partitionCount(topic);
      if (count === undefined) continue;
      const base = new Map(acknowledged.filter((m) => m.topicName === topic).map((m) => [m.partition, BigInt(m.baseOffset ?? '-1')]));
      const partitions = records.map((r) => partitionForKey(r.key, count));
      if (partitions.some((p) => (base.get(p) ?? -1n) < 0n)) continue;
      const next = new Map(base);
      records.forEach((r, i) => {
        const offset = next.get(partitions[i])!;
        next.set(partitions[i], offset + 1n);
        if (r.traced) this.produced?.record(topic, r.key, r.traced, { partition: partitions[i], offset: String(offset), timestamp: now });
      });
    }
  }

  /**
   * The topic's partition count as last read (at most a minute old), or undefined while it is being read: the send
   * never waits for it, the batches sent meanwhile are just not recorded.
   */
  private partitionCount(topic: string): number | undefined {
    const known = this.partitionCounts.get(topic);
    if (!known || Date.now() - known.at >= PARTITION_COUNT_TTL_MS) void this.readPartitionCount(topic);
    return known?.count;
  }

  private readonly countReads = new Set<string>();

  private async readPartitionCount(topic: string): Promise<void> {
    if (this.countReads.has(topic)) return;
    this.countReads.add(topic);
    try {
      const admin = await this.client.getAdmin();
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const count = topics.find((t) => t.name === topic)?.partitions.length ?? 0;
      if (count > 0) this.partitionCounts.set(topic, { count, at: Date.now() });
    } catch {
      // Only a hint: the next send tries again.
    } finally {
      this.countReads.delete(topic);
    }
  }
}

/** Record bytes per produce request: well under the broker's default message.max.bytes of 1 MiB. */
export const MAX_REQUEST_RECORD_BYTES = 512 * 1024;

function recordBytes(r: OutgoingRecord): number {
  let n = Buffer.byteLength(r.key) + Buffer.byteLength(r.value) + 64;
  for (const [k, v] of Object.entries(r.headers ?? {})) n += Buffer.byteLength(k) + (v === undefined ? 0 : Buffer.byteLength(String(v)));
  return n;
}

/** Consecutive runs of records whose sizes add up to at most `limit` (a larger record goes alone). */
export function chunksOf(records: OutgoingRecord[], limit: number): OutgoingRecord[][] {
  return chunksBySize(records, recordBytes, limit);
}
