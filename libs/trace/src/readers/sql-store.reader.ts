import { Injectable } from '@nestjs/common';
import { AspectRepository } from '@lib/sql';
import { SqlAspectRow } from '../decisions/inputs';
import { itemKey, TraceItem } from '../trace-item';
import { PrimaryStoreReader } from './ports';

@Injectable()
export class SqlStoreReader extends PrimaryStoreReader {
  constructor(private readonly aspects: AspectRepository) {
    super();
  }

  async latest(items: TraceItem[]): Promise<Map<string, SqlAspectRow>> {
    const rows = await this.aspects.latestHeadersMany(items.map(({ urn, aspect }) => ({ urn, aspect })));
    return new Map(
      rows.map((r) => {
        const sm = r.systemMetadata ?? {};
        const lastObserved = Number(sm.lastObserved);
        return [
          itemKey(r),
          {
            urn: r.urn,
            aspect: r.aspect,
            createdOn: r.createdOn,
            systemMetadata: {
              ...(Number.isFinite(lastObserved) ? { lastObserved } : {}),
              properties: (sm.properties ?? {}) as Record<string, string>,
            },
          },
        ];
      }),
    );
  }
}
