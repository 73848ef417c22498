import { Settings, validateEnv } from '@lib/config';
import { traceKafkaOptions, traceKafkaOptionsFrom } from './trace-kafka-options';

describe('TraceKafkaOptions', () => {
  it("an empty environment gives the env schema's defaults and the fixed tuning", () => {
    expect(traceKafkaOptionsFrom(new Settings(validateEnv({})))).toEqual({
      offsetCacheTtlMs: 5000,
      offsetCacheMax: 1000,
      maxMessages: 10000,
      maxMillis: 3000,
      concurrency: 4,
      deadlineMs: 10000,
      readerPollMs: 10,
      timestampSkewMs: 5000,
      readersPerTopic: 2,
      readerFetchBytes: 4 * 1024 * 1024,
    });
  });

  it('reads the TRACE_* variables', () => {
    const env = {
      TRACE_OFFSET_CACHE_TTL_MS: '0',
      TRACE_KAFKA_MAX_MESSAGES: '50',
      TRACE_KAFKA_CONCURRENCY: '7',
      TRACE_DEADLINE_MS: '250',
      TRACE_KAFKA_POLL_MS: '3',
    };
    expect(traceKafkaOptionsFrom(new Settings(validateEnv(env)))).toMatchObject({
      offsetCacheTtlMs: 0,
      maxMessages: 50,
      concurrency: 7,
      deadlineMs: 250,
      readerPollMs: 3,
    });
  });

  it('for readers built by hand: the defaults with the overrides given, undefined ones ignored', () => {
    const defaults = traceKafkaOptionsFrom(new Settings(validateEnv({})));
    expect(traceKafkaOptions()).toEqual(defaults);
    expect(traceKafkaOptions({ maxMessages: 100, deadlineMs: undefined })).toEqual({ ...defaults, maxMessages: 100 });
  });
});
