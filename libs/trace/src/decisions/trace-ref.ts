import { timestampOf } from '@lib/telemetry';

/** The trace being asked about; computed once per request. */
export interface TraceRef {
  /** 32 lowercase hex (from parseTraceIdParam). */
  traceId: string;
  /**
   * Request start time (epoch ms) decoded from the id, or undefined for ids minted by another tracer
   * (a continued gateway traceparent). Without it, "newer/older than our write" needs another clock:
   * see the fallbacks in primary-status.ts and search-status.ts.
   */
  timestamp: number | undefined;
}

export function traceRef(traceId: string, now: number = Date.now()): TraceRef {
  return { traceId, timestamp: timestampOf(traceId, now) };
}
