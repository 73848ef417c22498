import { EntityRegistry, parseUrn, UrnError } from '@lib/metadata';
import { TraceItem } from './trace-item';

/** A trace request body that cannot be answered; the message says what was wrong (a 400). */
export class TraceRequestError extends Error {
  override name = 'TraceRequestError';
}

export interface TraceLimits {
  maxUrns: number;
  maxPairs: number;
}

/**
 * `{ "<urn>": ["aspectName", ...] }` -> the items to trace. An empty list means every aspect of the
 * entity type; names match exactly, then case-insensitively; unknown names are dropped (so a
 * client's list written for another registry still traces what we know).
 */
export function traceItems(body: unknown, registry: EntityRegistry, limits: TraceLimits): TraceItem[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new TraceRequestError('body must be a JSON object of URN -> array of aspect names');
  }
  const entries = Object.entries(body as Record<string, unknown>);
  if (entries.length === 0) throw new TraceRequestError('body must name at least one URN');
  if (entries.length > limits.maxUrns) throw new TraceRequestError(`too many URNs: ${entries.length} (at most ${limits.maxUrns})`);
  const items: TraceItem[] = [];
  for (const [urn, names] of entries) {
    let entityType: string;
    try {
      entityType = parseUrn(urn).entityType;
    } catch (err) {
      if (err instanceof UrnError) throw new TraceRequestError(err.message);
      throw err;
    }
    if (!registry.findEntity(entityType)) throw new TraceRequestError(`unknown entity type ${entityType} in ${urn}`);
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
      throw new TraceRequestError(`the value of ${urn} must be an array of aspect names (strings)`);
    }
    const wanted = names.length === 0 ? registry.aspectNames(entityType) : names.map((n) => registry.resolveAspectName(entityType, n));
    const seen = new Set<string>();
    for (const aspect of wanted) {
      if (aspect === undefined || seen.has(aspect)) continue;
      seen.add(aspect);
      items.push({ urn, entityType, aspect, isTimeseries: registry.isTimeseries(entityType, aspect) });
    }
  }
  if (items.length > limits.maxPairs) throw new TraceRequestError(`too many (urn, aspect) pairs: ${items.length} (at most ${limits.maxPairs})`);
  return items;
}
