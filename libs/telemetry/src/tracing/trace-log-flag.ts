import { Context, context, createContextKey } from '@opentelemetry/api';

const TRACE_LOG = createContextKey('enable-trace-log');

/**
 * Whether a request asked for the trace log: header `X-Enable-Trace-Log: true` (any case) or cookie
 * `enable-trace-log=true`. Anything else - another value, a malformed cookie - is simply "no".
 */
export function traceLogRequested(headers: Record<string, string | string[] | undefined>): boolean {
  const header = headers['x-enable-trace-log'];
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  if (values.some((v) => v.trim().toLowerCase() === 'true')) return true;
  const cookie = headers['cookie'];
  const cookies = Array.isArray(cookie) ? cookie.join(';') : (cookie ?? '');
  return cookies.split(';').some((pair) => {
    const eq = pair.indexOf('=');
    return (
      eq > 0 &&
      pair.slice(0, eq).trim() === 'enable-trace-log' &&
      pair
        .slice(eq + 1)
        .trim()
        .toLowerCase() === 'true'
    );
  });
}

export function withTraceLog(ctx: Context, enabled: boolean): Context {
  return ctx.setValue(TRACE_LOG, enabled);
}

/** The trace-log flag of the active context (the request, or the message being consumed). */
export function traceLogEnabled(ctx: Context = context.active()): boolean {
  return ctx.getValue(TRACE_LOG) === true;
}
