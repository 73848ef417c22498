import { isAllZero, isLowerHex } from './hex';

/** The parts of a W3C `traceparent` header we use. */
export interface Traceparent {
  traceId: string;
  /** The caller's span id: the parent of the span we start. */
  spanId: string;
  /** Bit 0 of trace-flags. */
  sampled: boolean;
}

/** `00-<traceId>-<spanId>-<01|00>`, the header every HTTP response carries. */
export function formatTraceparent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}

/**
 * Strict W3C Trace Context parsing of an incoming `traceparent`. Anything invalid gives undefined,
 * so the request starts a new trace instead of failing. Version 00 must have exactly 4 fields;
 * a later version may append fields (the spec asks us to read the first 4); version ff is invalid.
 */
export function parseTraceparent(header: string | undefined): Traceparent | undefined {
  if (typeof header !== 'string') return undefined;
  const fields = header.trim().split('-');
  if (fields.length < 4) return undefined;
  const [version, traceId, spanId, flags] = fields;
  if (!isLowerHex(version, 2) || version === 'ff') return undefined;
  if (version === '00' && fields.length !== 4) return undefined;
  if (!isLowerHex(traceId, 32) || isAllZero(traceId)) return undefined;
  if (!isLowerHex(spanId, 16) || isAllZero(spanId)) return undefined;
  if (!isLowerHex(flags, 2)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}
