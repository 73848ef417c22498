import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Client } from '@opensearch-project/opensearch';
import { Settings } from '@lib/config';
import { explainSearchRefusal, searchClientOptions } from './search-connection';

/** The one OpenSearch client. Index names go through `index()` so a prefix can share a cluster. */
@Injectable()
export class SearchClient implements OnModuleDestroy {
  readonly client: Client;
  private readonly prefix: string;

  constructor(settings: Settings) {
    this.client = new Client({ ...searchClientOptions(settings.search), requestTimeout: 10000, maxRetries: 1 });
    this.client.on('response', (err) => explainSearchRefusal(err, settings.search));
    this.prefix = settings.search.indexPrefix;
  }

  index(name: string): string {
    return `${this.prefix}${name}`;
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }
}
