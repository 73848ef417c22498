import { err, ok, Result } from '@lib/common';
import { EntityRegistry, MetadataChangeLog, TimeRange, UrnError, entityTypeOf, timeseriesDeleteRange } from '@lib/metadata';
import { AspectChange } from '@lib/search';

export interface ParsedChangeLog {
  change: AspectChange;
  timeseries: boolean;
  /** A DELETE of a timeseries aspect only: the events it removes (from its startTimeMillis / endTimeMillis headers). */
  range?: TimeRange;
}

/**
 * Reads one MCL message value into what the search side indexes: an UPSERT's value, or a DELETE (value null):
 * of a versioned aspect, or of a timeseries aspect's events in the time range its headers give. Whether an aspect is timeseries comes from the registry, not from the topic
 * it arrived on: the registry decides which index it belongs to.
 * An error is a message no retry can fix: logged and skipped so that it cannot block its partition.
 */
export function parseChangeLog(raw: Buffer | null, registry: EntityRegistry): Result<ParsedChangeLog, string> {
  if (raw === null || raw.length === 0) return fail('empty message value');
  let mcl: MetadataChangeLog;
  try {
    mcl = JSON.parse(raw.toString('utf8')) as MetadataChangeLog;
  } catch (e) {
    return fail(`not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(mcl)) return fail('not a JSON object');
  const { entityType, entityUrn, aspectName, changeType, aspect, systemMetadata, headers } = mcl;
  if (typeof entityType !== 'string' || typeof entityUrn !== 'string' || typeof aspectName !== 'string') {
    return fail('entityType, entityUrn and aspectName must be strings');
  }
  if (changeType !== 'UPSERT' && changeType !== 'DELETE') return fail(`change type ${JSON.stringify(changeType)} is not indexed`);
  try {
    if (entityTypeOf(entityUrn) !== entityType) return fail(`URN ${entityUrn} is not of entity type "${entityType}"`);
  } catch (e) {
    if (e instanceof UrnError) return fail(e.message);
    throw e;
  }
  if (!registry.findEntity(entityType)) return fail(`unknown entity type "${entityType}"`);
  const spec = registry.findAspect(entityType, aspectName);
  if (!spec) return fail(`entity "${entityType}" has no aspect "${aspectName}"`);
  if (!isObject(systemMetadata) || !isEpochMillis(systemMetadata.lastObserved)) {
    // lastObserved orders writes of one aspect (see the repositories); without it nothing can be ordered.
    return fail('systemMetadata.lastObserved is missing');
  }
  const timeseries = spec.kind === 'timeseries';
  if (changeType === 'DELETE') {
    const change: AspectChange = { entityType, urn: entityUrn, aspect: aspectName, value: null, systemMetadata };
    if (!timeseries) return ok({ timeseries, change });
    if (headers !== undefined && !isObject(headers)) return fail('headers must be an object');
    const range = timeseriesDeleteRange(headers);
    if (!range.ok) return fail(`timeseries DELETE: ${range.error}`);
    return ok({ timeseries, change, range: range.value });
  }
  if (!isObject(aspect) || typeof aspect.value !== 'string') return fail('aspect.value must be JSON text');
  let value: unknown;
  try {
    value = JSON.parse(aspect.value);
  } catch (e) {
    return fail(`aspect.value is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(value)) return fail('aspect value is not a JSON object');
  if (timeseries && !isEpochMillis(value.timestampMillis)) return fail('timeseries aspect has no integer timestampMillis');
  return ok({ timeseries, change: { entityType, urn: entityUrn, aspect: aspectName, value, systemMetadata } });
}

function fail(reason: string): Result<ParsedChangeLog, string> {
  return err(reason);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEpochMillis(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
