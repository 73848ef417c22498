import { systemMetadataDocId, timeseriesDocId } from './doc-ids';

const URN = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.table/with,odd chars,PROD)';

describe('systemMetadataDocId', () => {
  it('is the same for the same (urn, aspect), every time', () => {
    expect(systemMetadataDocId(URN, 'status')).toBe(systemMetadataDocId(URN, 'status'));
  });

  it('is a fixed-length URL-safe id, whatever the URN holds', () => {
    const id = systemMetadataDocId(URN, 'status');
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(systemMetadataDocId(`urn:li:corpuser:${'x'.repeat(480)}`, 'corpUserInfo')).toHaveLength(43);
  });

  it('is known in advance (readers in other processes compute the same id)', () => {
    expect(systemMetadataDocId('urn:li:corpuser:jdoe', 'status')).toBe('SCX2Af8dej5FKM22UQ7aEj6SwpCg5IoBWZ2I8a9Sqcg');
  });

  it('differs between aspects, URNs, and pairs whose concatenations coincide', () => {
    const ids = new Set([
      systemMetadataDocId(URN, 'status'),
      systemMetadataDocId(URN, 'ownership'),
      systemMetadataDocId('urn:li:corpuser:ab', 'c'),
      systemMetadataDocId('urn:li:corpuser:a', 'bc'),
    ]);
    expect(ids.size).toBe(4);
  });
});

describe('timeseriesDocId', () => {
  it('is deterministic and URL-safe', () => {
    expect(timeseriesDocId(URN, 1700000000000, 'FULL_TABLE_SNAPSHOT', 'm1')).toBe(timeseriesDocId(URN, 1700000000000, 'FULL_TABLE_SNAPSHOT', 'm1'));
    expect(timeseriesDocId(URN, 1700000000000)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('tells events apart by timestamp, partition and message id', () => {
    const ids = new Set([
      timeseriesDocId(URN, 1),
      timeseriesDocId(URN, 2),
      timeseriesDocId(URN, 1, 'p1'),
      timeseriesDocId(URN, 1, undefined, 'p1'),
      timeseriesDocId(URN, 1, 'p1', 'm1'),
    ]);
    expect(ids.size).toBe(5);
  });
});
