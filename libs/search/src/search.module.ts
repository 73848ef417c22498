import { Global, Module } from '@nestjs/common';
import { SearchClient } from './search.client';
import { SearchSetup } from './search-setup';
import { SearchHealth } from './search.health';

@Global()
@Module({
  providers: [SearchClient, SearchSetup, SearchHealth],
  exports: [SearchClient, SearchSetup, SearchHealth],
})
export class SearchModule {}
