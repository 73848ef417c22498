import { Global, Module } from '@nestjs/common';
import { SearchClient } from './search.client';
import { SearchSetup } from './search-setup';
import { SearchHealth } from './search.health';
import { BulkWriter } from './bulk-writer';
import { SystemMetadataRepository } from './system-metadata.repository';
import { EntityDocumentRepository } from './entity-document.repository';
import { TimeseriesRepository } from './timeseries.repository';
import { SpanIndex } from './span-index';
import { Settings } from '@lib/config';

/** OpenSearch for the whole app. The repositories need EntityRegistry (RegistryModule, global). */
@Global()
@Module({
  providers: [
    SearchClient,
    SearchSetup,
    SearchHealth,
    BulkWriter,
    SystemMetadataRepository,
    EntityDocumentRepository,
    TimeseriesRepository,
    {
      provide: SpanIndex,
      inject: [SearchClient, Settings],
      useFactory: (c: SearchClient, s: Settings) => new SpanIndex(c, s.spans.retentionDays, s.search.replicas),
    },
  ],
  exports: [SearchClient, SearchSetup, SearchHealth, BulkWriter, SystemMetadataRepository, EntityDocumentRepository, TimeseriesRepository, SpanIndex],
})
export class SearchModule {}
