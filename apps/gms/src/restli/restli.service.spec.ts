import { BadRequestException, NotFoundException } from '@nestjs/common';
import { loadEntityRegistry } from '@lib/metadata';
import { AspectRepository, AspectRow } from '@lib/sql';
import { entityOf, latestNumber, parseAspectList, RestliService } from './restli.service';

const registry = loadEntityRegistry();
const URN = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)';
const KEY = { platform: 'urn:li:dataPlatform:hive', name: 'db.t', origin: 'PROD' };

const row = (aspect: string, version: number, value: unknown, smVersion?: string): AspectRow => ({
  urn: URN,
  aspect,
  version,
  value,
  systemMetadata: smVersion === undefined ? null : { runId: 'r', version: smVersion },
  createdOn: 1000 + version,
  createdBy: 'urn:li:corpuser:jdoe',
  createdFor: null,
});

/** An in-memory AspectRepository: the rows of metadata_aspect_v2, read as the two queries this service uses read them. */
class FakeAspects {
  constructor(public rows: AspectRow[] = []) {}
  latestAndVersion(urn: string, aspect: string, n: number) {
    const mine = this.rows.filter((r) => r.urn === urn && r.aspect === aspect);
    return Promise.resolve({
      rows: mine.filter((r) => r.version === 0 || r.version === n),
      maxVersion: mine.length ? Math.max(...mine.map((r) => r.version)) : -1,
    });
  }
  latestOfEntity(urn: string) {
    return Promise.resolve(this.rows.filter((r) => r.urn === urn && r.version === 0));
  }
}

const serviceOf = (rows: AspectRow[]) => new RestliService(registry, new FakeAspects(rows) as unknown as AspectRepository);

describe('parseAspectList (rest.li List(a,b))', () => {
  it('absent: every aspect; List(): none; List(a,b): those, once each', () => {
    expect(parseAspectList(undefined)).toBeUndefined();
    expect(parseAspectList('List()')).toEqual([]);
    expect(parseAspectList('List(status,datasetProperties,status)')).toEqual(['status', 'datasetProperties']);
  });

  it.each(['status', 'List(status', 'list(status)', 'List(status,)', 'List(a b)', 'List((a))', '(status)'])('%j is a 400', (param) => {
    expect(() => parseAspectList(param)).toThrow(BadRequestException);
  });
});

describe('latestNumber', () => {
  it("is the system metadata's version, else one more than the highest history row", () => {
    expect(latestNumber(row('status', 0, {}, '7'), 3)).toBe(7);
    expect(latestNumber(row('status', 0, {}), 3)).toBe(4);
    expect(latestNumber(row('status', 0, {}), 0)).toBe(1);
  });
});

describe('RestliService.aspect (GET /aspects)', () => {
  const stored = [
    row('datasetProperties', 1, { name: 'v1' }, '1'),
    row('datasetProperties', 2, { name: 'v2' }, '2'),
    row('datasetProperties', 0, { name: 'v3' }, '3'),
  ];

  it('version 0: the latest value under its record name, numbered, with created and systemMetadata', async () => {
    await expect(serviceOf(stored).aspect(URN, 'datasetProperties', 0)).resolves.toEqual({
      urn: URN,
      aspect: { 'com.linkedin.dataset.DatasetProperties': { name: 'v3' } },
      version: 3,
      created: { time: 1000, actor: 'urn:li:corpuser:jdoe' },
      systemMetadata: { runId: 'r', version: '3' },
    });
  });

  it('version n: the n-th stored value, 1 the oldest, the latest by its own number; past it a 404', async () => {
    const service = serviceOf(stored);
    const value = async (n: number) => Object.values((await service.aspect(URN, 'datasetProperties', n)).aspect)[0];
    expect([await value(1), await value(2), await value(3)]).toEqual([{ name: 'v1' }, { name: 'v2' }, { name: 'v3' }]);
    await expect(service.aspect(URN, 'datasetProperties', 4)).rejects.toThrow(NotFoundException);
  });

  it('a tombstone is a 404; the values before it stay readable by number', async () => {
    const service = serviceOf([row('status', 1, { removed: false }, '1'), row('status', 0, null, '2')]);
    await expect(service.aspect(URN, 'status', 0)).rejects.toThrow(new NotFoundException(`aspect status of ${URN} not found (deleted)`));
    await expect(service.aspect(URN, 'status', 2)).rejects.toThrow(NotFoundException);
    await expect(service.aspect(URN, 'status', 1)).resolves.toMatchObject({ aspect: { 'com.linkedin.common.Status': { removed: false } }, version: 1 });
  });

  it('nothing stored: 404', async () => {
    await expect(serviceOf([]).aspect(URN, 'status', 0)).rejects.toThrow(new NotFoundException(`aspect status of ${URN} not found`));
  });

  it('400: a malformed URN, an unknown entity type, an unknown or a timeseries aspect', async () => {
    const service = serviceOf(stored);
    await expect(service.aspect('urn:li:dataset:(x', 'status', 0)).rejects.toThrow(/^urn: Invalid URN/);
    await expect(service.aspect('urn:li:nosuch:x', 'status', 0)).rejects.toThrow(/^urn: unknown entity type nosuch/);
    await expect(service.aspect(URN, 'nosuch', 0)).rejects.toThrow(/^unknown aspect nosuch of entity type dataset/);
    await expect(service.aspect(URN, 'datasetProfile', 0)).rejects.toThrow(/datasetProfile is a timeseries aspect/);
  });
});

describe('entityOf / RestliService.entity (GET /entitiesV2)', () => {
  const spec = registry.entity('dataset');
  const shape = (rows: AspectRow[], requested?: string[]) => entityOf(URN, spec.aspects, spec.keyAspect, KEY, rows, requested).aspects;

  it('every live versioned aspect, key first, enveloped; tombstones and aspects the registry does not know left out', () => {
    const aspects = shape([
      row('status', 0, null, '2'),
      row('datasetProperties', 0, { name: 'p' }, '2'),
      row('datasetKey', 0, KEY, '1'),
      row('legacy', 0, { a: 1 }, '1'),
    ]);
    expect(Object.keys(aspects)).toEqual(['datasetKey', 'datasetProperties']);
    expect(aspects.datasetProperties).toEqual({
      name: 'datasetProperties',
      type: 'VERSIONED',
      version: 2,
      value: { name: 'p' },
      created: { time: 1000, actor: 'urn:li:corpuser:jdoe' },
      systemMetadata: { runId: 'r', version: '2' },
    });
  });

  it('the key aspect always: derived from the URN when not stored, and alone when it is a tombstone (deleted)', () => {
    const derived = { datasetKey: { name: 'datasetKey', type: 'VERSIONED', version: 0, value: KEY } };
    expect(shape([])).toEqual(derived);
    expect(shape([row('datasetKey', 0, null, '2'), row('status', 0, { removed: true }, '1')])).toEqual(derived);
    expect(Object.keys(shape([row('status', 0, { removed: false }, '1')]))).toEqual(['datasetKey', 'status']);
  });

  it('with a list: only those aspects, and the key', () => {
    const rows = [row('datasetKey', 0, KEY, '1'), row('status', 0, { removed: false }, '1'), row('datasetProperties', 0, { name: 'p' }, '1')];
    expect(Object.keys(shape(rows, ['status']))).toEqual(['datasetKey', 'status']);
    expect(Object.keys(shape(rows, []))).toEqual(['datasetKey']);
  });

  it('never a 404; 400 for a malformed URN, a malformed list or an unknown aspect in it', async () => {
    const service = serviceOf([]);
    await expect(service.entity(URN)).resolves.toEqual({
      urn: URN,
      aspects: { datasetKey: { name: 'datasetKey', type: 'VERSIONED', version: 0, value: KEY } },
    });
    await expect(service.entity('not-a-urn')).rejects.toThrow(BadRequestException);
    await expect(service.entity(URN, 'List(status')).rejects.toThrow(/must be List/);
    await expect(service.entity(URN, 'List(status,nosuch)')).rejects.toThrow('query parameter aspects: unknown aspect nosuch of entity type dataset');
  });
});
