import { Logger } from '@nestjs/common';
import { KafkaMessage } from 'kafkajs';
import { ConsumedBatch, PoisonGuard, PoisonPolicy } from './poison-guard';

const message = (offset: number): KafkaMessage => ({ offset: String(offset), key: Buffer.from('k'), value: Buffer.from(`m${offset}`) }) as KafkaMessage;
const batch = (...offsets: number[]): ConsumedBatch => ({ topic: 'T', partition: 0, messages: offsets.map(message) });
const offsetsOf = (b: ConsumedBatch) => b.messages.map((m) => Number(m.offset));

/** A handler failing every batch that holds one of `poison`, with `error`, and recording what it was given. */
function setup(poison: number[], error: () => Error = () => new Error('cannot apply'), probe: () => Promise<void> = async () => undefined) {
  const handled: number[][] = [];
  const processed: number[] = [];
  const dead: { offsets: number[]; error: string }[] = [];
  const policy: PoisonPolicy = {
    attempts: 3,
    backoffMs: 1,
    probe,
    deadLetter: async (b, err) => void dead.push({ offsets: offsetsOf(b), error: err.message }),
  };
  const guard = new PoisonGuard(
    async (b) => {
      handled.push(offsetsOf(b));
      if (offsetsOf(b).some((o) => poison.includes(o))) throw error();
      processed.push(...offsetsOf(b));
    },
    policy,
    'test',
  );
  return { guard, handled, processed, dead };
}

describe('PoisonGuard', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('passes a batch that succeeds through, once', async () => {
    const { guard, handled, dead } = setup([]);
    await guard.handle(batch(1, 2, 3));
    expect(handled).toEqual([[1, 2, 3]]);
    expect(dead).toEqual([]);
  });

  it('finds the one message at fault by halves, dead-letters it after its tries, and processes every other message in order', async () => {
    const { guard, handled, processed, dead } = setup([6]);
    await guard.handle(batch(1, 2, 3, 4, 5, 6, 7, 8));
    expect(dead).toEqual([{ offsets: [6], error: 'cannot apply' }]);
    expect(processed).toEqual([1, 2, 3, 4, 5, 7, 8]);
    expect(handled.filter((h) => h.length === 8)).toHaveLength(3);
    expect(handled.filter((h) => h.length === 1 && h[0] === 6)).toHaveLength(3);
  });

  it('a transient error that clears within the tries dead-letters nothing', async () => {
    let failures = 2;
    const handled: number[][] = [];
    const dead: unknown[] = [];
    const guard = new PoisonGuard(
      async (b) => {
        handled.push(offsetsOf(b));
        if (failures-- > 0) throw new Error('flaky');
      },
      { attempts: 3, backoffMs: 1, probe: async () => undefined, deadLetter: async (b) => void dead.push(b) },
      'test',
    );
    await guard.handle(batch(1, 2));
    expect(handled).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
    expect(dead).toEqual([]);
  });

  it.each([
    ['a kafkajs connection error', () => Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' })],
    ['a MySQL connection lost', () => Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' })],
    ['an OpenSearch 503', () => Object.assign(new Error('unavailable'), { name: 'ResponseError', statusCode: 503 })],
    [
      'a publish error caused by a broker timeout',
      () => new Error('Kafka did not accept', { cause: Object.assign(new Error('t'), { name: 'KafkaJSRequestTimeoutError' }) }),
    ],
  ])('throws %s at once, never dead-lettering for it', async (_, error) => {
    const { guard, handled, dead } = setup([1], error);
    await expect(guard.handle(batch(1, 2))).rejects.toThrow();
    expect(handled).toHaveLength(1);
    expect(dead).toEqual([]);
  });

  it('does not dead-letter while the probe says a dependency is down: it throws, and the batch is retried', async () => {
    const { guard, dead } = setup([1], undefined, async () => {
      throw new Error('MySQL is down');
    });
    await expect(guard.handle(batch(1))).rejects.toThrow('MySQL is down');
    expect(dead).toEqual([]);
  });

  it("dead-letters a change log the broker will never take (MESSAGE_TOO_LARGE is the records' fault, not the broker's)", async () => {
    const tooLarge = () =>
      new Error('Kafka did not accept the write', {
        cause: Object.assign(new Error('too large'), { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE' }),
      });
    const { guard, dead } = setup([2], tooLarge);
    await guard.handle(batch(1, 2));
    expect(dead.map((d) => d.offsets)).toEqual([[2]]);
  });

  it('gives up retrying while the consumer stops (the batch is redelivered to the next owner)', async () => {
    const dead: unknown[] = [];
    const guard = new PoisonGuard(
      async () => {
        throw new Error('cannot apply');
      },
      { attempts: 3, backoffMs: 1, probe: async () => undefined, deadLetter: async (b) => void dead.push(b) },
      'test',
      () => true,
    );
    await expect(guard.handle(batch(1))).rejects.toThrow('cannot apply');
    expect(dead).toEqual([]);
  });
});
