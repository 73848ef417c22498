import { pooledRandomBytes, randomHex } from './hex';

describe('pooledRandomBytes', () => {
  it('never hands out the same bytes twice, across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(Buffer.from(pooledRandomBytes(8)).toString('hex'));
    expect(seen.size).toBe(5000); // 40,000 bytes: about ten refills of the 4 KiB pool
  });

  it('answers requests of any size, larger than the pool included', () => {
    expect(pooledRandomBytes(1)).toHaveLength(1);
    expect(pooledRandomBytes(10000)).toHaveLength(10000);
  });

  it('gives bytes that look random (every value of a byte shows up)', () => {
    const counts = new Array<number>(256).fill(0);
    for (const b of pooledRandomBytes(4096 * 4)) counts[b]++;
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });
});

describe('randomHex', () => {
  it('is 2*size lowercase hex', () => {
    expect(randomHex(8)).toMatch(/^[0-9a-f]{16}$/);
  });
});
