import { RangeOutcome, RangeRead, RangeReader, RangeReaderFactory } from './range-read';
import { ReaderPool } from './reader-pool';
import { traceKafkaOptions } from './trace-kafka-options';

/** A reader whose reads end when the test says so. */
class FakeReader implements RangeReader {
  usable = true;
  closed = false;
  startCalls = 0;
  pending = new Map<number, (o: RangeOutcome) => void>();
  constructor(
    readonly groupId: string,
    private readonly startResult: Promise<void>,
  ) {}
  start(): Promise<void> {
    this.startCalls++;
    return this.startResult;
  }
  read(request: RangeRead): Promise<RangeOutcome> {
    if (this.pending.has(request.partition)) throw new Error('same partition read twice at once');
    return new Promise((resolve) =>
      this.pending.set(request.partition, (o) => {
        this.pending.delete(request.partition);
        resolve(o);
      }),
    );
  }
  finish(partition: number): void {
    this.pending.get(partition)?.({ kind: 'complete', read: 0, next: 0n });
  }
  async close(): Promise<void> {
    this.closed = true;
    this.usable = false;
    for (const p of [...this.pending.keys()]) this.pending.get(p)?.({ kind: 'failed', reason: 'reader closed', read: 0, next: 0n });
  }
}

class FakeFactory extends RangeReaderFactory {
  made: FakeReader[] = [];
  nextStart: () => Promise<void> = () => Promise.resolve();
  create(topic: string): FakeReader {
    const reader = new FakeReader(`${topic}-${this.made.length + 1}`, this.nextStart());
    this.made.push(reader);
    return reader;
  }
}

const request = (partition: number, signal?: AbortSignal): RangeRead => ({
  partition,
  start: 0n,
  end: 10n,
  maxMessages: 100,
  maxMillis: 1000,
  onMessage: () => false,
  signal,
});
const tick = () => new Promise((r) => setImmediate(r));

function setup(readersPerTopic = 2) {
  const factory = new FakeFactory();
  return { factory, pool: new ReaderPool(factory, traceKafkaOptions({ readersPerTopic })) };
}

describe('ReaderPool', () => {
  it('makes no reader before the first read, then reuses it for later reads', async () => {
    const { factory, pool } = setup();
    expect(factory.made).toHaveLength(0);
    for (let i = 0; i < 3; i++) {
      const read = pool.read('mcp', request(0));
      await tick();
      factory.made[0].finish(0);
      expect((await read).kind).toBe('complete');
    }
    expect(factory.made).toHaveLength(1);
    expect(factory.made[0].startCalls).toBe(1);
  });

  it('reads different partitions of a topic on one reader at once', async () => {
    const { factory, pool } = setup();
    const reads = [0, 1, 2].map((p) => pool.read('mcp', request(p)));
    await tick();
    expect(factory.made).toHaveLength(1);
    expect([...factory.made[0].pending.keys()].sort()).toEqual([0, 1, 2]);
    [0, 1, 2].forEach((p) => factory.made[0].finish(p));
    await Promise.all(reads);
  });

  it('uses a second reader for the same partition at once, and queues beyond readersPerTopic', async () => {
    const { factory, pool } = setup(2);
    const a = pool.read('mcp', request(1));
    const b = pool.read('mcp', request(1));
    const c = pool.read('mcp', request(1));
    await tick();
    expect(factory.made).toHaveLength(2);
    expect(factory.made.map((r) => r.pending.size)).toEqual([1, 1]);
    factory.made[0].finish(1);
    await a;
    await tick();
    expect(factory.made[0].pending.size).toBe(1); // c took the freed reader
    factory.made[1].finish(1);
    factory.made[0].finish(1);
    await Promise.all([b, c]);
    expect(factory.made).toHaveLength(2);
  });

  it('keeps readers per topic', async () => {
    const { factory, pool } = setup();
    const reads = [pool.read('mcp', request(0)), pool.read('mcl', request(0))];
    await tick();
    expect(factory.made.map((r) => r.groupId)).toEqual(['mcp-1', 'mcl-2']);
    expect(pool.readerCount('mcl')).toBe(1);
    expect(pool.readerCount('mcp')).toBe(1);
    factory.made.forEach((r) => r.finish(0));
    await Promise.all(reads);
  });

  it('answers aborted when the caller gives up while queued', async () => {
    const { factory, pool } = setup(1);
    const first = pool.read('mcp', request(0));
    const controller = new AbortController();
    const queued = pool.read('mcp', request(0, controller.signal));
    await tick();
    controller.abort();
    expect(await queued).toEqual({ kind: 'aborted', read: 0, next: 0n });
    factory.made[0].finish(0);
    await first;
  });

  it('answers failed, naming Kafka, when a reader cannot start, and tries a new one next time', async () => {
    const { factory, pool } = setup();
    factory.nextStart = () => Promise.reject(new Error('Connection error: connect ECONNREFUSED'));
    const failed = await pool.read('mcp', request(0));
    expect(failed).toMatchObject({ kind: 'failed' });
    expect((failed as { reason: string }).reason).toBe('Kafka reader for mcp could not start: Connection error: connect ECONNREFUSED');
    expect(factory.made[0].closed).toBe(true);
    expect(pool.readerCount('mcp')).toBe(0);

    factory.nextStart = () => Promise.resolve();
    const read = pool.read('mcp', request(0));
    await tick();
    factory.made[1].finish(0);
    expect((await read).kind).toBe('complete');
  });

  it('replaces a reader that failed', async () => {
    const { factory, pool } = setup();
    const read = pool.read('mcp', request(0));
    await tick();
    factory.made[0].usable = false; // e.g. its consumer crashed
    factory.made[0].finish(0);
    await read;
    expect(factory.made[0].closed).toBe(true);
    const next = pool.read('mcp', request(0));
    await tick();
    expect(factory.made).toHaveLength(2);
    factory.made[1].finish(0);
    await next;
  });

  it('closes every reader on module destroy, ending reads in flight and refusing new ones', async () => {
    const { factory, pool } = setup();
    const inFlight = pool.read('mcp', request(0));
    const other = pool.read('mcl', request(2));
    await tick();
    await pool.onModuleDestroy();
    expect(factory.made.every((r) => r.closed)).toBe(true);
    expect((await inFlight).kind).toBe('failed');
    expect((await other).kind).toBe('failed');
    expect(await pool.read('mcp', request(0))).toMatchObject({ kind: 'failed', reason: 'Kafka reader pool is closed' });
  });
});
