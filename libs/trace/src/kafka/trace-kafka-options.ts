import { Settings, validateEnv } from '@lib/config';

/** Injection token of the Kafka readers' tuning: a complete TraceKafkaOptions, resolved once (see TRACE_KAFKA_PROVIDERS). */
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

/** The tuning no environment variable sets. */
const FIXED_TUNING = {
  timestampSkewMs: 5000,
  readersPerTopic: 2,
  readerFetchBytes: 4 * 1024 * 1024,
} as const satisfies Partial<TraceKafkaOptions>;

/**
 * The options as configured: the TRACE_* settings (their defaults are declared once, in the env schema,
 * libs/config/src/env.ts) and the fixed tuning. TRACE_KAFKA_PROVIDERS resolves them once with this.
 */
export function traceKafkaOptionsFrom(settings: Settings): TraceKafkaOptions {
  const t = settings.trace;
  return {
    offsetCacheTtlMs: t.offsetCacheTtlMs,
    offsetCacheMax: t.offsetCacheMax,
    maxMessages: t.kafkaMaxMessages,
    maxMillis: t.kafkaMaxMillis,
    concurrency: t.kafkaConcurrency,
    deadlineMs: t.deadlineMs,
    readerPollMs: t.kafkaPollMs,
    ...FIXED_TUNING,
  };
}

let defaults: Readonly<TraceKafkaOptions> | undefined;

/**
 * The options for readers built by hand (tests): the defaults of an empty environment with `overrides`
 * applied; undefined fields keep the default. The readers take complete options as given.
 */
export function traceKafkaOptions(overrides: Partial<TraceKafkaOptions> = {}): TraceKafkaOptions {
  defaults ??= Object.freeze(traceKafkaOptionsFrom(new Settings(validateEnv({}))));
  const defined = Object.entries(overrides).filter(([, v]) => v !== undefined);
  return { ...defaults, ...Object.fromEntries(defined) };
}
