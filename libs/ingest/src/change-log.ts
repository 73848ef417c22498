import { GenericAspect, MetadataChangeLog, MetadataChangeProposal, SystemMetadata } from '@lib/metadata';
import { WriteOutcome } from './write-rules';

const json = (v: unknown): GenericAspect => ({ value: JSON.stringify(v), contentType: 'application/json' });

/**
 * The MetadataChangeLog of an applied proposal: the new value and system metadata, and the previous ones.
 * A delete's log (changeType DELETE) has no value: its system metadata is the tombstone's.
 */
export function changeLogOf(mcp: MetadataChangeProposal, outcome: WriteOutcome): MetadataChangeLog {
  const deleted = outcome.value === null;
  return {
    entityType: mcp.entityType,
    entityUrn: mcp.entityUrn,
    changeType: deleted ? 'DELETE' : 'UPSERT',
    aspectName: mcp.aspectName,
    ...(deleted ? {} : { aspect: json(outcome.value) }),
    systemMetadata: outcome.systemMetadata,
    created: { time: outcome.createdOn, actor: outcome.createdBy },
    ...(outcome.previous && outcome.previous.value !== null ? { previousAspectValue: json(outcome.previous.value) } : {}),
    ...(outcome.previous?.systemMetadata ? { previousSystemMetadata: outcome.previous.systemMetadata as SystemMetadata } : {}),
  };
}

/**
 * A timeseries aspect skips SQL: its proposal becomes a change log straight away. A DELETE stays a DELETE, with
 * no value and its headers (the time range: START_TIME_MILLIS_HEADER / END_TIME_MILLIS_HEADER of @lib/metadata).
 */
export function timeseriesChangeLogOf(mcp: MetadataChangeProposal, now: number): MetadataChangeLog {
  const { aspect, ...rest } = mcp;
  const deleted = mcp.changeType === 'DELETE';
  return {
    ...rest,
    ...(deleted || aspect === undefined ? {} : { aspect }),
    changeType: deleted ? 'DELETE' : 'UPSERT',
    systemMetadata: { ...(mcp.systemMetadata ?? { runId: 'no-run-id-provided', lastObserved: now }), lastObserved: now },
    created: mcp.created ?? { time: now, actor: 'urn:li:corpuser:__anonymous' },
  };
}
