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

/** What the Kafka side needs of an item the stores could not settle; results are keyed by the very objects passed in. */
export interface UrnAspect {
  urn: string;
  aspect: string;
}

export interface KafkaLookupOptions {
  /** Refetch the consumer group's committed offsets instead of using the short-lived cache. */
  skipCache?: boolean;
  /** Absolute deadline (epoch ms), to share one budget between steps; default: now + the configured deadline. */
  deadlineAt?: number;
}

/**
 * Kafka, only for what the stores could not settle (implemented by KafkaTraceReader). Never throws:
 * trouble is a 'failed' look-up. Every item passed in is a key of the answer.
 */
export abstract class KafkaLookups {
  /** Primary storage: our proposal on the MCP topic against the MCE consumer group. */
  abstract mcpLookups<T extends UrnAspect>(items: readonly T[], trace: TraceRef, options?: KafkaLookupOptions): Promise<Map<T, KafkaLookup>>;

  /** Search storage: our change log on the versioned or timeseries MCL topic against the MAE consumer group. */
  abstract mclLookups<T extends UrnAspect>(
    items: readonly T[],
    trace: TraceRef,
    timeseries: boolean,
    options?: KafkaLookupOptions,
  ): Promise<Map<T, KafkaLookup>>;

  /** Contract 5.1 step 6: our proposal on the failed-proposal topic with its exceptions; undefined when not there (or not known). */
  abstract failedLookups<T extends UrnAspect>(items: readonly T[], trace: TraceRef, options?: KafkaLookupOptions): Promise<Map<T, FailedMcpEntry | undefined>>;

  /**
   * Contract 5.2 (dead letters): our write on either failed topic - the MCE consumer's (a proposal applied to
   * SQL whose change log could not be sent) or the MAE consumer's (a change log it could not index).
   */
  abstract deadLetterLookups<T extends UrnAspect>(
    items: readonly T[],
    trace: TraceRef,
    options?: KafkaLookupOptions,
  ): Promise<Map<T, FailedMcpEntry | undefined>>;
}
