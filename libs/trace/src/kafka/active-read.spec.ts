import { KafkaMessage } from 'kafkajs';
import { ActiveRead } from './active-read';
import { RangeOutcome, RangeRead } from './range-read';

const msg = (offset: number | bigint): KafkaMessage =>
  ({ offset: String(offset), key: null, value: null, timestamp: '0', attributes: 0, headers: {} }) as KafkaMessage;
const msgs = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => msg(from + i));

function start(overrides: Partial<RangeRead> = {}) {
  const seen: string[] = [];
  let outcome: RangeOutcome | undefined;
  const request: RangeRead = {
    partition: 1,
    start: 10n,
    end: 20n,
    maxMessages: 1000,
    maxMillis: 10000,
    onMessage: (m) => {
      seen.push(m.offset);
      return false;
    },
    ...overrides,
  };
  const read = new ActiveRead(request, (o) => (outcome = o));
  return { read, seen, outcome: () => outcome };
}

describe('ActiveRead', () => {
  it('hands over [start, end) in order and completes at the end offset', () => {
    const { read, seen, outcome } = start();
    read.take(msgs(10, 15), '10', '14');
    expect(outcome()).toBeUndefined();
    read.take(msgs(15, 25), '15', '24');
    expect(seen).toEqual(msgs(10, 20).map((m) => m.offset));
    expect(outcome()).toEqual({ kind: 'complete', read: 10, next: 20n });
  });

  it('skips offsets before its position (a batch fetched again from older offsets)', () => {
    const { read, seen, outcome } = start();
    read.take(msgs(10, 13), '10', '12');
    read.take(msgs(0, 15), '0', '14'); // a new group generation restarted from the earliest offset
    expect(seen).toEqual(msgs(10, 15).map((m) => m.offset));
    expect(outcome()).toBeUndefined();
  });

  it('accepts gaps in offsets (compaction) and completes from a batch whose last record is past the end', () => {
    const { read, seen, outcome } = start();
    read.take([msg(10), msg(14), msg(17)], '10', '19'); // 18-19 were transaction markers kafkajs filtered out
    expect(seen).toEqual(['10', '14', '17']);
    expect(outcome()).toEqual({ kind: 'complete', read: 3, next: 18n });
  });

  it('does not take a batch that starts after its position as proof of the records in between', () => {
    const { read, outcome } = start();
    read.take([msg(15)], '15', '19');
    expect(outcome()).toBeUndefined();
  });

  it('stops when onMessage says so', () => {
    const { read, outcome } = start({ onMessage: (m) => m.offset === '12' });
    read.take(msgs(10, 20), '10', '19');
    expect(outcome()).toEqual({ kind: 'stopped', read: 3, next: 13n });
  });

  it('gives up after maxMessages without reaching the end', () => {
    const { read, outcome } = start({ maxMessages: 4 });
    read.take(msgs(10, 20), '10', '19');
    expect(outcome()).toMatchObject({ kind: 'bounded', read: 4, next: 14n });
    expect((outcome() as { reason: string }).reason).toContain('read 4 messages (the limit) without reaching offset 20');
  });

  it('is complete, not bounded, when the limit is reached exactly at the end', () => {
    const { read, outcome } = start({ maxMessages: 10 });
    read.take(msgs(10, 20), '10', '19');
    expect(outcome()?.kind).toBe('complete');
  });

  it('gives up after maxMillis', async () => {
    const { outcome } = start({ maxMillis: 20 });
    await new Promise((r) => setTimeout(r, 40));
    expect(outcome()).toMatchObject({ kind: 'bounded', read: 0 });
    expect((outcome() as { reason: string }).reason).toContain('in 20 ms');
  });

  it('ends aborted when the signal aborts, and only once', () => {
    const controller = new AbortController();
    const { read, outcome } = start({ signal: controller.signal });
    read.take(msgs(10, 12), '10', '11');
    controller.abort();
    expect(outcome()).toEqual({ kind: 'aborted', read: 2, next: 12n });
    read.take(msgs(12, 20), '12', '19');
    expect(outcome()?.kind).toBe('aborted');
  });

  it('ends at once when the signal was already aborted', () => {
    const controller = new AbortController();
    controller.abort();
    const { read, outcome } = start({ signal: controller.signal });
    expect(read.finished).toBe(true);
    expect(outcome()?.kind).toBe('aborted');
  });

  it('fails when onMessage throws', () => {
    const { read, outcome } = start({
      onMessage: () => {
        throw new Error('boom');
      },
    });
    read.take(msgs(10, 20), '10', '19');
    expect(outcome()).toEqual({ kind: 'failed', reason: 'handling offset 10 failed: boom', read: 1, next: 11n });
  });
});
