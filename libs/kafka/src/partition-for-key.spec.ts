import { partitionForKey } from './partition-for-key';

/** Kafka's own murmur2 test vectors (clients' UtilsTest.testMurmur2): what the Java producer computes. */
const JAVA_MURMUR2: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

describe('partitionForKey', () => {
  it.each(JAVA_MURMUR2)('agrees with the Java partitioner for %p', (key, hash) => {
    for (const partitions of [1, 3, 7, 12, 100]) {
      expect(partitionForKey(key, partitions)).toBe((hash & 0x7fffffff) % partitions);
    }
  });

  it('is deterministic and within range for URNs', () => {
    for (let i = 0; i < 200; i++) {
      const urn = `urn:li:dataset:(urn:li:dataPlatform:hive,db.table_${i},PROD)`;
      const p = partitionForKey(urn, 3);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(3);
      expect(partitionForKey(urn, 3)).toBe(p);
    }
  });

  it('rejects a partition count that is not a positive integer', () => {
    expect(() => partitionForKey('k', 0)).toThrow(RangeError);
    expect(() => partitionForKey('k', 2.5)).toThrow(RangeError);
  });
});
