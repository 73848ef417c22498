import { Injectable, Optional } from '@nestjs/common';
import { IHeaders, RecordMetadata } from 'kafkajs';
import { Settings } from '@lib/config';
import { chunksBySize, withTimeout } from '@lib/common';
import { Metrics } from '@lib/metrics';
import { KafkaClient } from './kafka.client';

export interface OutgoingRecord {
  topic: string;
  key: string;
  value: string;
  headers?: IHeaders;
}

/** Kafka did not take the records within the bound: the caller answers 503 / retries the batch. */
export class PublishError extends Error {
  override name = 'PublishError';
}

/**
 * Sends records as ONE batch per call (one request per broker), acknowledged by all in-sync
 * replicas, within KAFKA_PRODUCE_TIMEOUT_MS including connecting.
 */
@Injectable()
export class KafkaPublisher {
  constructor(
    private readonly client: KafkaClient,
    private readonly settings: Settings,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  /** Fails fast (PublishError) when Kafka cannot be reached, before the caller writes anything elsewhere. */
  async ready(): Promise<void> {
    try {
      await this.client.getProducer(this.settings.kafka.produceTimeoutMs);
    } catch (err) {
      this.metrics?.dependencyError('kafka', 'connect');
      throw new PublishError(`Kafka is unreachable: ${err instanceof Error ? err.message : String(err)}`);
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
        sent.push(
          ...(await withTimeout(
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
          )),
        );
      }
      return sent;
    } catch (err) {
      this.metrics?.dependencyError('kafka', 'produce');
      throw new PublishError(`Kafka did not accept the write: ${err instanceof Error ? err.message : String(err)}`);
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
