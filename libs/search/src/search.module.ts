import { Global, Module } from '@nestjs/common';
import { SearchClient } from './search.client';
import { SearchSetup } from './search-setup';
import { SearchHealth } from './search.health';
import { BulkWriter } from './bulk-writer';
import { SystemMetadataRepository } from './system-metadata.repository';
import { EntityDocumentRepository } from './entity-document.repository';
import { TimeseriesRepository } from './timeseries.repository';

/** OpenSearch for the whole app. The repositories need EntityRegistry (RegistryModule, global). */
@Global()
@Module({
  providers: [SearchClient, SearchSetup, SearchHealth, BulkWriter, SystemMetadataRepository, EntityDocumentRepository, TimeseriesRepository],
  exports: [SearchClient, SearchSetup, SearchHealth, BulkWriter, SystemMetadataRepository, EntityDocumentRepository, TimeseriesRepository],
})
export class SearchModule {}
