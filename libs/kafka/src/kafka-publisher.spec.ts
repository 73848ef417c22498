import { chunksOf, OutgoingRecord } from './kafka-publisher';

const rec = (key: string, bytes: number): OutgoingRecord => ({ topic: 't', key, value: 'x'.repeat(bytes) });

describe('chunksOf', () => {
  it('splits records into consecutive chunks under the byte limit, keeping their order', () => {
    const records = [rec('a', 400), rec('b', 400), rec('c', 400), rec('d', 100)];
    const chunks = chunksOf(records, 1000);
    expect(chunks.map((c) => c.map((r) => r.key).join(''))).toEqual(['ab', 'cd']);
  });

  it('sends a record larger than the limit on its own', () => {
    expect(chunksOf([rec('a', 10), rec('b', 5000), rec('c', 10)], 1000).map((c) => c.map((r) => r.key).join(''))).toEqual(['a', 'b', 'c']);
  });

  it('keeps a small batch in one request', () => {
    expect(chunksOf([rec('a', 10), rec('b', 10)], 1000)).toHaveLength(1);
  });
});
