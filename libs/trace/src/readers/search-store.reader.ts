import { Injectable } from '@nestjs/common';
import { SystemMetadataRepository, TimeseriesRepository } from '@lib/search';
import { SearchSystemDoc } from '../decisions/inputs';
import { itemKey, TraceItem } from '../trace-item';
import { SearchStoreReader } from './ports';

@Injectable()
export class OpenSearchStoreReader extends SearchStoreReader {
  constructor(
    private readonly systemMetadata: SystemMetadataRepository,
    private readonly timeseries: TimeseriesRepository,
  ) {
    super();
  }

  async systemDocs(items: TraceItem[]): Promise<Map<string, SearchSystemDoc>> {
    const docs = await this.systemMetadata.getMany(items.map(({ urn, aspect }) => ({ urn, aspect })));
    const out = new Map<string, SearchSystemDoc>();
    for (const d of docs.values()) {
      const { urn, aspect, lastUpdated, telemetryTraceId, removed, refusal } = d;
      out.set(itemKey(d), { urn, aspect, lastUpdated, telemetryTraceId, removed, ...(refusal ? { refusal } : {}) });
    }
    return out;
  }

  timeseriesWritten(traceId: string, items: TraceItem[]): Promise<Set<string>> {
    return this.timeseries.findByTrace(traceId, items);
  }
}
