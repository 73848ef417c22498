import { postJson } from './http';

export const traceIdOf = (traceparent: string | null): string => {
  if (!traceparent) throw new Error('response has no traceparent header');
  return traceparent.split('-')[1];
};

/**
 * Calls the trace endpoint; `query` holds onlyIncludeErrors, detailed, skipCache, waitMs. waitMs is 0 unless
 * given: the immediate answer (the server's default would hold a PENDING trace for TRACE_DEFAULT_WAIT_MS).
 */
export async function traceWrite(base: string, traceId: string, body: Record<string, string[]>, query: Record<string, boolean | number> = {}) {
  const qs = new URLSearchParams(
    Object.entries({ onlyIncludeErrors: false, waitMs: 0, ...query }).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
  return postJson(`${base}/openapi/v1/trace/write/${encodeURIComponent(traceId)}?${qs}`, body);
}

/** The primary/search statuses of one aspect in a trace response, as `PRIMARY/SEARCH`. */
export function states(
  body: Record<string, Record<string, { primaryStorage: { writeStatus: string }; searchStorage: { writeStatus: string } }>>,
  urn: string,
  aspect: string,
): string {
  const r = body?.[urn]?.[aspect];
  return r ? `${r.primaryStorage.writeStatus}/${r.searchStorage.writeStatus}` : 'absent';
}
