import { loadEntityRegistry } from '@lib/metadata';
import { TraceRequestError, traceItems } from './trace-request';

const registry = loadEntityRegistry();
const urn = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)';
const limits = { maxUrns: 10, maxPairs: 100 };

describe('traceItems', () => {
  it('matches names exactly, then case-insensitively, and drops unknown ones', () => {
    const items = traceItems({ [urn]: ['status', 'DATASETPROPERTIES', 'noSuchAspect', 'status'] }, registry, limits);
    expect(items.map((i) => i.aspect)).toEqual(['status', 'datasetProperties']);
    expect(items[0]).toEqual({ urn, entityType: 'dataset', aspect: 'status', isTimeseries: false });
  });

  it('expands an empty list to every aspect of the entity type, timeseries ones marked', () => {
    const items = traceItems({ [urn]: [] }, registry, limits);
    expect(items.map((i) => i.aspect)).toEqual(registry.aspectNames('dataset'));
    expect(items.find((i) => i.aspect === 'datasetProfile')?.isTimeseries).toBe(true);
  });

  it.each([
    [[], /JSON object/],
    ['x', /JSON object/],
    [null, /JSON object/],
    [{}, /at least one URN/],
    [{ 'not-a-urn': ['status'] }, /URN/i],
    [{ 'urn:li:spaceship:x': ['status'] }, /unknown entity type spaceship/],
    [{ [urn]: 'status' }, /must be an array of aspect names/],
    [{ [urn]: [1] }, /must be an array of aspect names/],
  ])('rejects %j', (body, message) => {
    expect(() => traceItems(body, registry, limits)).toThrow(TraceRequestError);
    expect(() => traceItems(body, registry, limits)).toThrow(message);
  });

  it('enforces the limits', () => {
    const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`urn:li:tag:t${i}`, ['status']]));
    expect(() => traceItems(many, registry, limits)).toThrow('too many URNs: 11 (at most 10)');
    expect(() => traceItems({ [urn]: [] }, registry, { maxUrns: 10, maxPairs: 2 })).toThrow(/too many \(urn, aspect\) pairs/);
  });
});
