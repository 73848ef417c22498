/** Injection token of the Kafka readers' tuning (a `Partial<TraceKafkaOptions>`; unset fields take the defaults). */
export const TRACE_KAFKA_OPTIONS = 'TRACE_KAFKA_OPTIONS';

/** A clock in milliseconds; tests pass one they move by hand (lru-cache's TTL ignores jest's fake timers). */
export interface Clock {
  now(): number;
}

export interface TraceKafkaOptions {
  /** TRACE_OFFSET_CACHE_TTL_MS: how long a group's committed offsets are reused; 0 = always refetch. */
  offsetCacheTtlMs: number;
  /** TRACE_OFFSET_CACHE_MAX: most (group, topic) entries kept. */
  offsetCacheMax: number;
  /** TRACE_KAFKA_MAX_MESSAGES: most messages one partition scan reads before giving up. */
  maxMessages: number;
  /** TRACE_KAFKA_MAX_MILLIS: longest one partition scan may read before giving up. */
  maxMillis: number;
  /** TRACE_KAFKA_CONCURRENCY: URNs looked up at once within one call. */
  concurrency: number;
  /** TRACE_DEADLINE_MS: one call's overall budget; lookups unfinished by then answer "timed out". */
  deadlineMs: number;
  /**
   * How far before the trace id's time a scan starts. The id is minted when the request starts and
   * the record is stamped later by the producer, but the MCL is produced on another host whose clock
   * may run behind ours.
   */
  timestampSkewMs: number;
  /** Reader consumers kept per topic; a second one is only made when two scans need the same partition at once. */
  readersPerTopic: number;
  /**
   * TRACE_KAFKA_POLL_MS: how long an idle reader sleeps before looking for work, i.e. the worst added
   * latency of a scan (kafkajs maxWaitTimeInMs). Cheap when short: with every partition paused kafkajs
   * only sleeps, it sends no fetch.
   */
  readerPollMs: number;
  /** Bytes fetched per partition and request: larger is fewer round trips on long scans. */
  readerFetchBytes: number;
  /** Time source of the offset cache's TTL (tests only). */
  clock?: Clock;
}

export const DEFAULT_TRACE_KAFKA_OPTIONS: Readonly<TraceKafkaOptions> = Object.freeze({
  offsetCacheTtlMs: 5000,
  offsetCacheMax: 1000,
  maxMessages: 10000,
  maxMillis: 3000,
  concurrency: 4,
  deadlineMs: 10000,
  timestampSkewMs: 5000,
  readersPerTopic: 2,
  readerPollMs: 10,
  readerFetchBytes: 4 * 1024 * 1024,
});

/** The defaults with `overrides` applied; undefined fields (e.g. an unset env var) keep the default. */
export function traceKafkaOptions(overrides: Partial<TraceKafkaOptions> = {}): TraceKafkaOptions {
  const defined = Object.entries(overrides).filter(([, v]) => v !== undefined);
  return { ...DEFAULT_TRACE_KAFKA_OPTIONS, ...Object.fromEntries(defined) };
}
