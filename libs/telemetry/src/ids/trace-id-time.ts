/**
 * Our trace ids start with the request start time: 16 hex digits of microseconds since the epoch
 * (epoch ms x 1000, zero-padded 64-bit). That lets the trace endpoint seek Kafka by time and compare
 * a write with the rows it finds, without storing anything extra.
 */

/** Ids that decode before this were not minted by us (another tracer's random bits). */
export const EARLIEST_TRACE_TIME_MS = Date.UTC(2020, 0, 1);
/** Allowed clock skew into the future; beyond it the prefix is random bits, not a time. */
export const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;

const TRACE_ID = /^[0-9a-f]{32}$/;

/** The 16-hex time prefix for a time in epoch ms. */
export function timePrefix(epochMs: number): string {
  const micros = BigInt(Math.floor(epochMs)) * 1000n;
  return BigInt.asUintN(64, micros).toString(16).padStart(16, '0');
}

/**
 * The request start time (epoch ms, millisecond precision) encoded in a trace id, or undefined when
 * the id is not 32 lowercase hex or its prefix is not a plausible time (before 2020-01-01 or more than
 * 24 h after `now`) - e.g. an id continued from a gateway's traceparent. Never throws.
 */
export function timestampOf(traceId: string, now: number = Date.now()): number | undefined {
  if (typeof traceId !== 'string' || !TRACE_ID.test(traceId)) return undefined;
  const micros = BigInt('0x' + traceId.slice(0, 16));
  const ms = Number(micros / 1000n);
  if (ms < EARLIEST_TRACE_TIME_MS || ms > now + MAX_FUTURE_SKEW_MS) return undefined;
  return ms;
}
