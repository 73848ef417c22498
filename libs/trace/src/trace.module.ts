import { Module } from '@nestjs/common';
import { Settings } from '@lib/config';
import { KafkaTraceReader, TRACE_KAFKA_PROVIDERS } from './kafka';
import { KafkaLookups, PrimaryStoreReader, SearchStoreReader } from './readers/ports';
import { OpenSearchStoreReader } from './readers/search-store.reader';
import { SqlStoreReader } from './readers/sql-store.reader';
import { TRACE_STORE_TIMEOUT_MS, TraceService } from './trace.service';
import { WriteWaiter } from './write-waiter';

/** The trace service with its readers (SQL, OpenSearch, and Kafka for what those cannot settle), and the wait for a write built on it. */
@Module({
  providers: [
    ...TRACE_KAFKA_PROVIDERS,
    { provide: TRACE_STORE_TIMEOUT_MS, inject: [Settings], useFactory: (s: Settings): number => s.trace.storeTimeoutMs },
    { provide: PrimaryStoreReader, useClass: SqlStoreReader },
    { provide: SearchStoreReader, useClass: OpenSearchStoreReader },
    { provide: KafkaLookups, useExisting: KafkaTraceReader },
    TraceService,
    WriteWaiter,
  ],
  exports: [TraceService, WriteWaiter],
})
export class TraceModule {}
