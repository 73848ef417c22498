import { Provider } from '@nestjs/common';
import { Settings } from '@lib/config';
import { ConsumerGroupOffsets } from './consumer-group-offsets';
import { KafkaAdminPort } from './kafka-admin.port';
import { KafkajsAdmin } from './kafkajs-admin';
import { KafkaTraceReader } from './kafka-trace-reader';
import { MessageLocator } from './message-locator';
import { RangeReaderFactory } from './range-read';
import { KafkajsRangeReaderFactory } from './range-reader.factory';
import { ReaderPool } from './reader-pool';
import { TRACE_KAFKA_OPTIONS, traceKafkaOptionsFrom } from './trace-kafka-options';

/**
 * The Kafka readers with their real adapters. Needs KafkaClient and Settings in scope. Their tuning
 * (TRACE_KAFKA_OPTIONS) is resolved here, once, from the settings, and injected into each.
 */
export const TRACE_KAFKA_PROVIDERS: Provider[] = [
  { provide: TRACE_KAFKA_OPTIONS, inject: [Settings], useFactory: traceKafkaOptionsFrom },
  { provide: KafkaAdminPort, useClass: KafkajsAdmin },
  { provide: RangeReaderFactory, useClass: KafkajsRangeReaderFactory },
  ConsumerGroupOffsets,
  ReaderPool,
  MessageLocator,
  KafkaTraceReader,
];
