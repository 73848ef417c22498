/**
 * How the write of a (urn, aspect) is recognised on a topic:
 * - 'change': the value is the proposal itself (MetadataChangeProposal and MetadataChangeLog share the fields);
 * - 'failed': the value is `{error, metadataChangeProposal}` (FailedMetadataChangeProposal) or, on the MAE
 *   consumer's dead-letter topic, `{error, metadataChangeLog}` (FailedMetadataChangeLog).
 */
export type MessageFormat = 'change' | 'failed';

/** The writes being looked for: one URN, some of its aspects, one trace. */
export interface TraceTarget {
  urn: string;
  aspects: readonly string[];
  traceId: string;
  format: MessageFormat;
}

/** The part of a Kafka record the matcher reads. */
export interface RecordLike {
  key: Buffer | null;
  value: Buffer | null;
}

export interface TraceMatch {
  aspect: string;
  /** The whole parsed message value (for 'failed', the envelope with `error`). */
  value: unknown;
}

/**
 * A predicate for the records of `target`. Every write is keyed by its URN, so the key is compared
 * first, as bytes: the other URNs sharing the partition are skipped without parsing their JSON.
 */
export function traceMatcher(target: TraceTarget): (record: RecordLike) => TraceMatch | undefined {
  const key = Buffer.from(target.urn, 'utf8');
  const aspects = new Set(target.aspects);
  return (record) => {
    if (record.key === null || record.value === null || !key.equals(record.key)) return undefined;
    const value = parseJson(record.value);
    const envelope = asObject(value);
    const proposal = asObject(target.format === 'failed' ? (envelope?.metadataChangeProposal ?? envelope?.metadataChangeLog) : value);
    if (proposal === undefined || proposal.entityUrn !== target.urn) return undefined;
    const aspect = proposal.aspectName;
    if (typeof aspect !== 'string' || !aspects.has(aspect)) return undefined;
    const properties = asObject(asObject(proposal.systemMetadata)?.properties);
    if (properties?.telemetryTraceId !== target.traceId) return undefined;
    return { aspect, value };
  };
}

/** A record someone else wrote with a broken value is not ours: skip it rather than fail the scan. */
function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
