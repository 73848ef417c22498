import { Injectable } from '@nestjs/common';
import { FailedMcpEntry, KafkaLookup, TraceRef } from '../decisions/inputs';
import { KafkaTraceReader } from '../kafka';
import { itemKey, TraceItem } from '../trace-item';
import { KafkaLookups } from './ports';

const byKey = <V>(results: Map<TraceItem, V>) => new Map([...results].map(([item, v]) => [itemKey(item), v]));

/** The trace service's Kafka port over the Kafka readers (MCP vs MCE group, MCLs vs MAE group, failed topic). */
@Injectable()
export class KafkaTraceLookups extends KafkaLookups {
  constructor(private readonly reader: KafkaTraceReader) {
    super();
  }

  async proposals(items: TraceItem[], trace: TraceRef, skipCache: boolean): Promise<Map<string, KafkaLookup>> {
    return byKey(await this.reader.mcpLookups(items, trace, { skipCache }));
  }

  /** Versioned and timeseries aspects have change logs on different topics: both are read, in parallel. */
  async changeLogs(items: TraceItem[], trace: TraceRef, skipCache: boolean): Promise<Map<string, KafkaLookup>> {
    const versioned = items.filter((i) => !i.isTimeseries);
    const timeseries = items.filter((i) => i.isTimeseries);
    const [v, t] = await Promise.all([
      versioned.length ? this.reader.mclLookups(versioned, trace, false, { skipCache }) : new Map<TraceItem, KafkaLookup>(),
      timeseries.length ? this.reader.mclLookups(timeseries, trace, true, { skipCache }) : new Map<TraceItem, KafkaLookup>(),
    ]);
    return new Map([...byKey(v), ...byKey(t)]);
  }

  async failures(items: TraceItem[], trace: TraceRef): Promise<Map<string, FailedMcpEntry>> {
    const found = await this.reader.failedLookups(items, trace);
    return new Map([...found].flatMap(([item, entry]) => (entry ? [[itemKey(item), entry] as const] : [])));
  }
}
