import { FailedMcpEntry, KafkaLookup, SearchSystemDoc, SqlAspectRow } from '../decisions/inputs';
import { KafkaLookups, PrimaryStoreReader, SearchStoreReader, UrnAspect } from '../readers/ports';
import { itemKey, TraceItem } from '../trace-item';

/** The trace service's stores, faked at their ports; answers are set by itemKey. */

export class FakeSql extends PrimaryStoreReader {
  calls = 0;
  rows = new Map<string, SqlAspectRow>();
  fail?: Error;
  async latest(items: TraceItem[]) {
    this.calls++;
    if (this.fail) throw this.fail;
    return new Map([...this.rows].filter(([k]) => items.some((i) => itemKey(i) === k)));
  }
}

export class FakeSearch extends SearchStoreReader {
  docCalls = 0;
  tsCalls = 0;
  docs = new Map<string, SearchSystemDoc>();
  written = new Set<string>();
  async systemDocs(items: TraceItem[]) {
    if (items.length) this.docCalls++;
    return new Map([...this.docs].filter(([k]) => items.some((i) => itemKey(i) === k)));
  }
  async timeseriesWritten(_traceId: string, items: TraceItem[]) {
    if (items.length) this.tsCalls++;
    return this.written;
  }
}

/** Kafka at the port: `calls` records each look-up as `mcp:N`, `mcl:N`, `mcl-timeseries:N`, `failed:N`. */
export class FakeKafka extends KafkaLookups {
  calls: string[] = [];
  mcp = new Map<string, KafkaLookup>();
  mcl = new Map<string, KafkaLookup>();
  failed = new Map<string, FailedMcpEntry>();
  async mcpLookups<T extends UrnAspect>(items: readonly T[]) {
    this.calls.push(`mcp:${items.length}`);
    return answers(items, this.mcp);
  }
  async mclLookups<T extends UrnAspect>(items: readonly T[], _trace: unknown, timeseries: boolean) {
    this.calls.push(`${timeseries ? 'mcl-timeseries' : 'mcl'}:${items.length}`);
    return answers(items, this.mcl);
  }
  async failedLookups<T extends UrnAspect>(items: readonly T[]) {
    this.calls.push(`failed:${items.length}`);
    return new Map(items.map((i) => [i, this.failed.get(itemKey(i))]));
  }
  /** Dead letters of either consumer. */
  deadLetters = new Map<string, FailedMcpEntry>();
  async deadLetterLookups<T extends UrnAspect>(items: readonly T[]) {
    this.calls.push(`deadLetters:${items.length}`);
    return new Map(items.map((i) => [i, this.deadLetters.get(itemKey(i))]));
  }
}

/** Only the items with an answer: a missing one is what a look-up that gave no answer looks like. */
function answers<T extends UrnAspect, V>(items: readonly T[], byKey: Map<string, V>): Map<T, V> {
  return new Map(items.flatMap((i) => (byKey.has(itemKey(i)) ? [[i, byKey.get(itemKey(i))!] as const] : [])));
}
