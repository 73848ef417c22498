import { FailedMcpEntry, KafkaLookup, SearchSystemDoc, SqlAspectRow, TraceRef } from '../decisions/inputs';
import { TraceItem } from '../trace-item';

/** Primary storage: the latest SQL rows of all items, in ONE query. Keyed by itemKey. */
export abstract class PrimaryStoreReader {
  abstract latest(items: TraceItem[]): Promise<Map<string, SqlAspectRow>>;
}

/** Search storage: system-metadata docs in ONE real-time request; timeseries docs carrying the trace id. */
export abstract class SearchStoreReader {
  abstract systemDocs(items: TraceItem[]): Promise<Map<string, SearchSystemDoc>>;
  abstract timeseriesWritten(traceId: string, items: TraceItem[]): Promise<Set<string>>;
}

/** Kafka, only for what the stores could not settle. Never throws: trouble is a 'failed' lookup. */
export abstract class KafkaLookups {
  /** Our proposal on the MCP topic against the MCE group. */
  abstract proposals(items: TraceItem[], trace: TraceRef, skipCache: boolean): Promise<Map<string, KafkaLookup>>;
  /** Our change log on the versioned or timeseries MCL topic against the MAE group. */
  abstract changeLogs(items: TraceItem[], trace: TraceRef, skipCache: boolean): Promise<Map<string, KafkaLookup>>;
  /** Our proposal on the failed-proposal topic, with its exceptions. */
  abstract failures(items: TraceItem[], trace: TraceRef): Promise<Map<string, FailedMcpEntry>>;
}
