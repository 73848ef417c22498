import { loadEntityRegistry, MetadataChangeLog } from '@lib/metadata';
import { parseChangeLog } from './change-log-parser';
import { changeLog, messageValue, parsedChange, URN } from './testing/fixtures';

const registry = loadEntityRegistry();
/** The fixture change log with `overrides` (undefined drops a field). */
const mcl = (overrides: Record<string, unknown> = {}) => ({ ...changeLog(), ...overrides }) as MetadataChangeLog;

describe('parseChangeLog', () => {
  it('reads a versioned aspect change', () => {
    expect(parseChangeLog(messageValue(changeLog()), registry)).toEqual({ ok: true, value: { timeseries: false, change: parsedChange() } });
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
      value: {
        timeseries: false,
        change: { entityType: 'dataset', urn: URN, aspect: 'status', value: null, systemMetadata: mcl().systemMetadata },
      },
    });
  });

  it('reads a DELETE of a timeseries aspect as a change to no value with the time range of its headers', () => {
    const del = (headers?: Record<string, string>) => mcl({ changeType: 'DELETE', aspectName: 'datasetProfile', aspect: undefined, headers });
    const change = { entityType: 'dataset', urn: URN, aspect: 'datasetProfile', value: null, systemMetadata: mcl().systemMetadata };
    expect(parseChangeLog(messageValue(del({ startTimeMillis: '100', endTimeMillis: '200' })), registry)).toEqual({
      ok: true,
      value: { timeseries: true, change, range: { startTimeMillis: 100, endTimeMillis: 200 } },
    });
    expect(parseChangeLog(messageValue(del({ endTimeMillis: '200' })), registry)).toMatchObject({ ok: true, value: { range: { endTimeMillis: 200 } } });
    // No headers: every event of the aspect of that URN.
    expect(parseChangeLog(messageValue(del()), registry)).toEqual({ ok: true, value: { timeseries: true, change, range: {} } });
  });

  it('tells a timeseries aspect by the registry', () => {
    const parsed = parseChangeLog(messageValue(changeLog('datasetProfile', { timestampMillis: 5 })), registry);
    expect(parsed).toMatchObject({ ok: true, value: { timeseries: true, change: { aspect: 'datasetProfile', value: { timestampMillis: 5 } } } });
  });

  it.each([
    ['an empty value', null, 'empty message value'],
    ['text that is not JSON', 'not json {', 'not valid JSON'],
    ['a JSON array', [1, 2], 'not a JSON object'],
    ['a missing URN', mcl({ entityUrn: undefined }), 'entityType, entityUrn and aspectName must be strings'],
    ['a RESTATE', mcl({ changeType: 'RESTATE' }), 'change type "RESTATE" is not indexed'],
    [
      'a timeseries DELETE with a malformed bound',
      mcl({ changeType: 'DELETE', aspectName: 'datasetProfile', aspect: undefined, headers: { startTimeMillis: 'noon' } }),
      'timeseries DELETE: startTimeMillis must be epoch milliseconds',
    ],
    [
      'a timeseries DELETE whose start is after its end',
      mcl({ changeType: 'DELETE', aspectName: 'datasetProfile', aspect: undefined, headers: { startTimeMillis: '5', endTimeMillis: '4' } }),
      'startTimeMillis (5) is after endTimeMillis (4)',
    ],
    [
      'a timeseries DELETE whose headers are not an object',
      mcl({ changeType: 'DELETE', aspectName: 'datasetProfile', aspect: undefined, headers: 'startTimeMillis=5' as unknown as Record<string, string> }),
      'headers must be an object',
    ],
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
    expect(parsed.ok === false && parsed.error).toContain(reason);
  });
});
