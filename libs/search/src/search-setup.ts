import { Injectable, Logger } from '@nestjs/common';
import { Settings } from '@lib/config';
import { SearchClient } from './search.client';
import { IndexDefinition } from './index-definitions';

/** Creates missing indices with their explicit mappings (idempotent; existing indices are left alone). */
@Injectable()
export class SearchSetup {
  private readonly logger = new Logger(SearchSetup.name);

  constructor(
    private readonly search: SearchClient,
    private readonly settings: Settings,
  ) {}

  async ensure(definitions: IndexDefinition[]): Promise<string[]> {
    const created: string[] = [];
    for (const def of definitions) {
      const index = this.search.index(def.name);
      const exists = await this.search.client.indices.exists({ index });
      if (exists.body) continue;
      try {
        await this.search.client.indices.create({
          index,
          body: {
            settings: { number_of_shards: 1, number_of_replicas: this.settings.search.replicas },
            mappings: def.mappings,
          },
        });
        created.push(index);
      } catch (err) {
        // Another process created it between the check and the create: that is the outcome we wanted.
        if (!String((err as Error).message).includes('resource_already_exists_exception')) throw err;
      }
    }
    if (created.length > 0) this.logger.log(`created indices ${created.join(', ')}`);
    await this.search.client.cluster.health({ wait_for_status: 'yellow', timeout: '30s' });
    return created;
  }
}
