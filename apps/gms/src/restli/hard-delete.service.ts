import { Injectable } from '@nestjs/common';
import { EntityRegistry, TimeRange } from '@lib/metadata';
import { SearchClient } from '@lib/search';
import { AspectRepository } from '@lib/sql';
import { EntityService } from '../entity/entity.service';
import { unavailableOnOutage } from '../entity/outage';

/** What `POST /entities?action=delete` answers (DataHub's DeleteEntityResponse): the stored values it removed. */
export interface HardDeleteCounts {
  rows: number;
  timeseriesRows: number;
}

/**
 * The SDK's hard deletes, as purging deletes through the same queue as every write (so they are ordered,
 * traced and audited by a tombstone): counts what is stored, deletes, and waits until the delete is applied
 * to SQL and indexed. The counts are those of just before the delete: a write racing it may change them by one.
 */
@Injectable()
export class HardDeleteService {
  constructor(
    private readonly entities: EntityService,
    private readonly registry: EntityRegistry,
    private readonly aspects: AspectRepository,
    private readonly search: SearchClient,
  ) {}

  /** The whole entity: every stored value, history included, and its timeseries documents. */
  async entity(entityType: string, urn: string, actor: string): Promise<HardDeleteCounts> {
    const timeseries = this.registry.entity(entityType).aspects.filter((a) => a.indexName);
    const [rows, timeseriesRows] = await Promise.all([
      unavailableOnOutage(() => this.aspects.countValues(urn)),
      this.countDocuments(
        timeseries.map((a) => a.indexName!),
        urn,
      ),
    ]);
    const keyAspect = this.registry.entity(entityType).keyAspect;
    await this.entities.delete([{ entityType, urn, aspectName: keyAspect, value: null, delete: { purge: true } }], false, false, actor);
    return { rows, timeseriesRows };
  }

  /** One timeseries aspect's documents of the entity, in the range. */
  async timeseries(entityType: string, urn: string, aspectName: string, range: TimeRange, actor: string): Promise<HardDeleteCounts> {
    const timeseriesRows = await this.countDocuments([this.registry.aspect(entityType, aspectName).indexName!], urn, range);
    await this.entities.delete([{ entityType, urn, aspectName, value: null, delete: { purge: true, ...range } }], false, false, actor);
    return { rows: 0, timeseriesRows };
  }

  private async countDocuments(indices: string[], urn: string, range: TimeRange = {}): Promise<number> {
    if (indices.length === 0) return 0;
    const filter: object[] = [{ term: { urn } }];
    if (range.startTimeMillis !== undefined || range.endTimeMillis !== undefined) {
      filter.push({ range: { timestampMillis: { gte: range.startTimeMillis, lte: range.endTimeMillis } } });
    }
    const res = await this.search.client.count({
      index: indices.map((i) => this.search.index(i)).join(','),
      ignore_unavailable: true,
      body: { query: { bool: { filter } } },
    });
    return Number(res.body.count ?? 0);
  }
}
