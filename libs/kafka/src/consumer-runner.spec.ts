import { KafkaMessage } from 'kafkajs';
import { slices } from './consumer-runner';

const message = (offset: number, bytes: number): KafkaMessage =>
  ({ offset: String(offset), value: Buffer.alloc(bytes), key: null, timestamp: '0', attributes: 0, headers: {} }) as KafkaMessage;
const offsets = (parts: KafkaMessage[][]) => parts.map((p) => p.map((m) => Number(m.offset)));

describe('slices', () => {
  it('keeps a batch whole when it is within both bounds', () => {
    expect(offsets(slices([message(0, 10), message(1, 10)], 5, 100))).toEqual([[0, 1]]);
  });

  it('cuts by count and by bytes, in order, losing nothing', () => {
    const batch = Array.from({ length: 7 }, (_, i) => message(i, 40));
    expect(offsets(slices(batch, 3, 1000))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(offsets(slices(batch, 100, 100))).toEqual([[0, 1], [2, 3], [4, 5], [6]]);
  });

  it('gives a message larger than the byte bound a slice of its own', () => {
    expect(offsets(slices([message(0, 10), message(1, 500), message(2, 10)], 10, 100))).toEqual([[0], [1], [2]]);
  });

  it('has no slices for no messages', () => {
    expect(slices([], 10, 100)).toEqual([]);
  });
});
