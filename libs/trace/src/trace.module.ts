import { Module } from '@nestjs/common';
import { Settings } from '@lib/config';
import { ConsumerMonitorModule } from '@lib/kafka';
import { KafkaTraceReader, TRACE_KAFKA_PROVIDERS } from './kafka';
import { KafkaLookups, PrimaryStoreReader, SearchStoreReader } from './readers/ports';
import { OpenSearchStoreReader } from './readers/search-store.reader';
import { SqlStoreReader } from './readers/sql-store.reader';
import { TRACE_STORE_TIMEOUT_MS, TraceService } from './trace.service';
import { WriteWaiter } from './write-waiter';
import { OffsetWatcher, TRACE_WAIT_OPTIONS, TraceWaitOptions } from './offset-watcher';
import { TraceWaiter } from './trace-waiter';
import { TRACE_KAFKA_GATE_OPTIONS, TraceKafkaGate } from './kafka-gate';

/** The trace service with its readers (SQL, OpenSearch, and Kafka for what those cannot settle), the wait for a write built on it, and the trace's own wait (waitMs) on the shared offset watcher. */
@Module({
  imports: [ConsumerMonitorModule],
  providers: [
    ...TRACE_KAFKA_PROVIDERS,
    { provide: TRACE_STORE_TIMEOUT_MS, inject: [Settings], useFactory: (s: Settings): number => s.trace.storeTimeoutMs },
    { provide: PrimaryStoreReader, useClass: SqlStoreReader },
    { provide: SearchStoreReader, useClass: OpenSearchStoreReader },
    { provide: KafkaLookups, useExisting: KafkaTraceReader },
    {
      provide: TRACE_WAIT_OPTIONS,
      inject: [Settings],
      useFactory: (s: Settings): TraceWaitOptions => ({
        defaultWaitMs: s.trace.defaultWaitMs,
        maxWaiters: s.trace.maxWaiters,
        pollMs: s.trace.waitPollMs,
        changeLogs: { groupId: s.groups.mae, topic: s.topics.mclVersioned },
      }),
    },
    {
      provide: TRACE_KAFKA_GATE_OPTIONS,
      inject: [Settings],
      useFactory: (s: Settings) => ({ maxInFlight: s.trace.kafkaMaxInFlight, queueMs: s.trace.kafkaQueueMs }),
    },
    TraceKafkaGate,
    TraceService,
    WriteWaiter,
    OffsetWatcher,
    TraceWaiter,
  ],
  exports: [TraceService, WriteWaiter, TraceWaiter, OffsetWatcher, TraceKafkaGate],
})
export class TraceModule {}
