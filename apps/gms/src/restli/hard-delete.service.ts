import { Injectable } from '@nestjs/common';
import { EntityRegistry, TimeRange } from '@lib/metadata';
import { TimeseriesRepository } from '@lib/search';
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
    private readonly timeseries: TimeseriesRepository,
  ) {}

  /** The whole entity: every stored value, history included, and its timeseries events. */
  async entity(entityType: string, urn: string, actor: string): Promise<HardDeleteCounts> {
    const [rows, timeseriesRows] = await unavailableOnOutage(() =>
      Promise.all([this.aspects.countValues(urn), this.timeseries.countEvents({ entityType, urn, writtenUpTo: Date.now() })]),
    );
    const keyAspect = this.registry.entity(entityType).keyAspect;
    await this.entities.delete([{ entityType, urn, aspectName: keyAspect, value: null, delete: { purge: true } }], false, false, actor);
    return { rows, timeseriesRows };
  }

  /** One timeseries aspect's events of the entity, in the range. */
  async timeseriesEvents(entityType: string, urn: string, aspectName: string, range: TimeRange, actor: string): Promise<HardDeleteCounts> {
    const timeseriesRows = await unavailableOnOutage(() => this.timeseries.countEvents({ entityType, urn, aspect: aspectName, range }));
    await this.entities.delete([{ entityType, urn, aspectName, value: null, delete: { purge: true, ...range } }], false, false, actor);
    return { rows: 0, timeseriesRows };
  }
}
