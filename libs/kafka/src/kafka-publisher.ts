import { Injectable, Optional } from '@nestjs/common';
import { IHeaders, RecordMetadata } from 'kafkajs';
import { Settings } from '@lib/config';
import { withTimeout } from '@lib/common';
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
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const r of records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
    const timeout = this.settings.kafka.produceTimeoutMs;
    try {
      const producer = await this.client.getProducer(timeout);
      return await withTimeout(
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
    } catch (err) {
      this.metrics?.dependencyError('kafka', 'produce');
      throw new PublishError(`Kafka did not accept the write: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
