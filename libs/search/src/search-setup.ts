import { Injectable, Logger } from '@nestjs/common';
import { Settings } from '@lib/config';
import { SearchClient } from './search.client';
import { IndexDefinition } from './index-definitions';

/**
 * Creates missing indices with their explicit mappings, and adds to existing indices the fields this version's
 * mappings have and theirs lack (idempotent). A field whose type differs is never changed: start-up fails naming
 * the index, since writes to it would be refused.
 */
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
      if (exists.body) {
        await this.addFields(index, def);
        continue;
      }
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

  /** Additive mapping update: new fields are added, existing identical ones accepted, a changed one refused. */
  private async addFields(index: string, def: IndexDefinition): Promise<void> {
    try {
      await this.search.client.indices.putMapping({ index, body: def.mappings });
    } catch (err) {
      const meta = (err as { meta?: { statusCode?: number; body?: { error?: { reason?: string } } } }).meta;
      const reason = meta?.body?.error?.reason ?? (err as Error).message;
      if (meta?.statusCode === 403) {
        // A user allowed to write but not to manage mappings: writes of fields the index lacks will be refused, and say so.
        this.logger.warn(`cannot add this version's fields to the mapping of index ${index} (403: ${reason}); an administrator must`);
        return;
      }
      throw new Error(`the mapping of index ${index} cannot take this version's fields (${reason}); reindex it or drop it`, { cause: err });
    }
  }
}
