import { AspectTraceResult } from './aspect-result';
import { WriteStatus } from './write-status';

/** The trace response body: urn -> aspect name -> result. */
export type TraceResponse = Record<string, Record<string, AspectTraceResult>>;

/**
 * `onlyIncludeErrors` (default true on the endpoint): keep only aspects where either storage is ERROR
 * and drop URNs left empty, so a clean trace answers `{}`. Returns a new object.
 */
export function filterResponse(response: TraceResponse, onlyIncludeErrors: boolean): TraceResponse {
  if (!onlyIncludeErrors) return response;
  const urns = Object.entries(response)
    .map(([urn, aspects]) => [urn, Object.fromEntries(Object.entries(aspects).filter(([, r]) => hasError(r)))] as const)
    .filter(([, aspects]) => Object.keys(aspects).length > 0);
  return Object.fromEntries(urns);
}

function hasError(result: AspectTraceResult): boolean {
  return result.primaryStorage.writeStatus === WriteStatus.ERROR || result.searchStorage.writeStatus === WriteStatus.ERROR;
}
