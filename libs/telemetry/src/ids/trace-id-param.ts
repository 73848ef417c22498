import { err, ok, Result } from '@lib/common';
import { isAllZero, isLowerHex } from './hex';

/** The 32-hex trace id, or the message for a 400. */
export type TraceIdParam = Result<string, string>;

const EXPECTED = 'expected 32 hex characters or a traceparent "00-<32 hex trace id>-<16 hex span id>-<2 hex flags>"';

/**
 * The `{traceId}` path parameter of the trace endpoint: a bare trace id, or a whole traceparent value
 * whose second field is the trace id. Returns a message for a 400 on anything else.
 *
 * Lenient on purpose (this is a human pasting an id, not a propagation header): surrounding whitespace
 * is ignored and upper-case hex is accepted and lower-cased, in both forms. In the traceparent form only
 * the shape of the other fields is checked; their values (version, span id, flags) do not matter here.
 */
export function parseTraceIdParam(raw: string | undefined): TraceIdParam {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '') return err(`Missing trace id: ${EXPECTED}.`);
  if (!value.includes('-')) return checkTraceId(value, value);

  const fields = value.split('-');
  const [version, traceId, spanId, flags] = fields;
  const shaped = fields.length >= 4 && isLowerHex(version, 2) && isLowerHex(spanId, 16) && isLowerHex(flags, 2);
  if (!shaped) return err(`Invalid trace id "${shorten(raw)}": ${EXPECTED}.`);
  return checkTraceId(traceId, raw);
}

function checkTraceId(traceId: string, raw: string | undefined): TraceIdParam {
  if (!isLowerHex(traceId, 32)) return err(`Invalid trace id "${shorten(raw)}": ${EXPECTED}.`);
  if (isAllZero(traceId)) return err(`Invalid trace id "${shorten(raw)}": an all-zero trace id is not valid.`);
  return ok(traceId);
}

/** Keep error messages bounded when someone pastes something huge. */
function shorten(raw: string | undefined): string {
  const s = (raw ?? '').trim();
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
