/** One (urn, aspect) of a trace request, with what the registry says about it. */
export interface TraceItem {
  urn: string;
  entityType: string;
  /** The registry's spelling of the aspect name (the request may have used another case). */
  aspect: string;
  isTimeseries: boolean;
}

/** Map key of an item: NUL cannot occur in a URN or an aspect name. */
export function itemKey(item: { urn: string; aspect: string }): string {
  return `${item.urn}\u0000${item.aspect}`;
}
