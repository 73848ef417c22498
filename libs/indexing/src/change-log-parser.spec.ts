import { loadEntityRegistry, MetadataChangeLog } from '@lib/metadata';
import { parseChangeLog } from './change-log-parser';
import { changeLog, messageValue, parsedChange, URN } from './testing/fixtures';

const registry = loadEntityRegistry();
/** The fixture change log with `overrides` (undefined drops a field). */
const mcl = (overrides: Record<string, unknown> = {}) => ({ ...changeLog(), ...overrides }) as MetadataChangeLog;

describe('parseChangeLog', () => {
  it('reads a versioned aspect change', () => {
    expect(parseChangeLog(messageValue(changeLog()), registry)).toEqual({ ok: true, timeseries: false, change: parsedChange() });
    expect(parsedChange()).toEqual({
      entityType: 'dataset',
      urn: URN,
      aspect: 'status',
      value: { removed: false },
      systemMetadata: changeLog().systemMetadata,
    });
  });

  it('reads a DELETE of a versioned aspect as a change to no value', () => {
    expect(parseChangeLog(messageValue(mcl({ changeType: 'DELETE', aspect: undefined })), registry)).toEqual({
      ok: true,
      timeseries: false,
      change: { entityType: 'dataset', urn: URN, aspect: 'status', value: null, systemMetadata: mcl().systemMetadata },
    });
  });

  it('tells a timeseries aspect by the registry', () => {
    const parsed = parseChangeLog(messageValue(changeLog('datasetProfile', { timestampMillis: 5 })), registry);
    expect(parsed).toMatchObject({ ok: true, timeseries: true, change: { aspect: 'datasetProfile', value: { timestampMillis: 5 } } });
  });

  it.each([
    ['an empty value', null, 'empty message value'],
    ['text that is not JSON', 'not json {', 'not valid JSON'],
    ['a JSON array', [1, 2], 'not a JSON object'],
    ['a missing URN', mcl({ entityUrn: undefined }), 'entityType, entityUrn and aspectName must be strings'],
    ['a RESTATE', mcl({ changeType: 'RESTATE' }), 'change type "RESTATE" is not indexed'],
    ['a DELETE of a timeseries aspect', mcl({ changeType: 'DELETE', aspectName: 'datasetProfile', aspect: undefined }), 'is not indexed'],
    ['a malformed URN', mcl({ entityUrn: 'dataset:orders' }), 'Invalid URN'],
    ['a URN of another type', mcl({ entityUrn: 'urn:li:corpuser:jdoe' }), 'is not of entity type "dataset"'],
    ['an unknown entity type', mcl({ entityType: 'spaceship', entityUrn: 'urn:li:spaceship:x' }), 'unknown entity type "spaceship"'],
    ['an unknown aspect', mcl({ aspectName: 'chartInfo' }), 'entity "dataset" has no aspect "chartInfo"'],
    ['no systemMetadata', mcl({ systemMetadata: undefined }), 'systemMetadata.lastObserved is missing'],
    ['a non-numeric lastObserved', mcl({ systemMetadata: { lastObserved: 'yesterday', runId: 'r' } }), 'systemMetadata.lastObserved is missing'],
    ['no aspect', mcl({ aspect: undefined }), 'aspect.value must be JSON text'],
    ['an aspect value that is not JSON', mcl({ aspect: { value: '{', contentType: 'application/json' } }), 'aspect.value is not valid JSON'],
    ['an aspect value that is not an object', mcl({ aspect: { value: '"x"', contentType: 'application/json' } }), 'aspect value is not a JSON object'],
    [
      'a timeseries event without timestamp',
      mcl({ aspectName: 'datasetProfile', aspect: { value: '{"rowCount":1}', contentType: 'application/json' } }),
      'no integer timestampMillis',
    ],
  ])('rejects %s as unprocessable', (_what, value, reason) => {
    const parsed = parseChangeLog(value === null ? null : messageValue(value), registry);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok === false && parsed.reason).toContain(reason);
  });
});
