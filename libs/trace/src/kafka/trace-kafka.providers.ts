import { Provider } from '@nestjs/common';
import { ConsumerGroupOffsets } from './consumer-group-offsets';
import { KafkaAdminPort } from './kafka-admin.port';
import { KafkajsAdmin } from './kafkajs-admin';
import { KafkaTraceReader } from './kafka-trace-reader';
import { MessageLocator } from './message-locator';
import { RangeReaderFactory } from './range-read';
import { KafkajsRangeReaderFactory } from './range-reader.factory';
import { ReaderPool } from './reader-pool';

/**
 * The Kafka readers with their real adapters. Needs KafkaClient and Settings in scope; tuning comes
 * from an optional TRACE_KAFKA_OPTIONS provider (a Partial<TraceKafkaOptions>), defaults otherwise.
 */
export const TRACE_KAFKA_PROVIDERS: Provider[] = [
  { provide: KafkaAdminPort, useClass: KafkajsAdmin },
  { provide: RangeReaderFactory, useClass: KafkajsRangeReaderFactory },
  ConsumerGroupOffsets,
  ReaderPool,
  MessageLocator,
  KafkaTraceReader,
];
