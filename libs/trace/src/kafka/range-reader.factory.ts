import { randomBytes } from 'crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Settings } from '@lib/config';
import { KafkaClient } from '@lib/kafka';
import { PartitionReader } from './partition-reader';
import { RangeReader, RangeReaderFactory } from './range-read';
import { TRACE_KAFKA_OPTIONS, TraceKafkaOptions } from './trace-kafka-options';

/** Real readers on the shared kafkajs client. */
@Injectable()
export class KafkajsRangeReaderFactory extends RangeReaderFactory {
  private readonly options: TraceKafkaOptions;
  /** Group ids must not collide between processes (each reader needs a group of its own) and are recognisable in `listGroups`. */
  private readonly groupPrefix: string;
  private count = 0;

  constructor(
    private readonly client: KafkaClient,
    settings: Settings,
    @Inject(TRACE_KAFKA_OPTIONS) options: TraceKafkaOptions,
  ) {
    super();
    this.options = options;
    this.groupPrefix = `${traceReaderGroupPrefix(settings.kafka.clientId)}${randomBytes(6).toString('hex')}-`;
  }

  create(topic: string): RangeReader {
    return new PartitionReader({
      kafka: this.client.kafka,
      topic,
      groupId: `${this.groupPrefix}${++this.count}`,
      pollMs: this.options.readerPollMs,
      fetchBytes: this.options.readerFetchBytes,
    });
  }
}

/** Every reader group of a client id starts with this. */
export function traceReaderGroupPrefix(clientId: string): string {
  return `${clientId}-trace-reader-`;
}
