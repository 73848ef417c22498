import { Batch, ConsumerConfig, ConsumerRunConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { PartitionReader } from './partition-reader';
import { RangeRead } from './range-read';

const TOPIC = 'mcp';
const EVENTS = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' };

/** Just enough of a kafkajs consumer to drive the reader: records what it is told, lets tests emit events and batches. */
class FakeConsumer {
  events = EVENTS;
  calls: string[] = [];
  listeners = new Map<string, (e: unknown) => void>();
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  staleFor = new Set<number>();
  connectError?: Error;
  constructor(readonly config: ConsumerConfig) {}

  on(event: string, listener: (e: unknown) => void) {
    this.listeners.set(event, listener);
    return () => undefined;
  }
  async connect() {
    this.calls.push('connect');
    if (this.connectError) throw this.connectError;
  }
  async subscribe(s: { topics: string[]; fromBeginning: boolean }) {
    this.calls.push(`subscribe ${s.topics.join(',')} fromBeginning=${s.fromBeginning}`);
  }
  async run(config: ConsumerRunConfig) {
    this.calls.push(`run autoCommit=${config.autoCommit}`);
    this.eachBatch = config.eachBatch;
  }
  async disconnect() {
    this.calls.push('disconnect');
  }
  pause(tps: { topic: string; partitions: number[] }[]) {
    this.calls.push(`pause ${tps.map((t) => t.partitions.join(',')).join(';')}`);
  }
  resume(tps: { topic: string; partitions: number[] }[]) {
    this.calls.push(`resume ${tps.map((t) => t.partitions.join(',')).join(';')}`);
  }
  seek(s: { topic: string; partition: number; offset: string }) {
    this.calls.push(`seek ${s.partition}@${s.offset}`);
  }

  join(partitions: number[]) {
    this.listeners.get(EVENTS.GROUP_JOIN)?.({ payload: { memberAssignment: { [TOPIC]: partitions } } });
  }
  crash(message: string) {
    this.listeners.get(EVENTS.CRASH)?.({ payload: { error: new Error(message) } });
  }
  async batch(partition: number, from: number, to: number) {
    const messages = Array.from({ length: to - from }, (_, i) => ({ offset: String(from + i), key: null, value: null }) as unknown as KafkaMessage);
    const batch = {
      topic: TOPIC,
      partition,
      messages,
      firstOffset: () => String(from),
      lastOffset: () => String(to - 1),
    } as unknown as Batch;
    await this.eachBatch!({ batch, isStale: () => this.staleFor.has(partition) } as unknown as EachBatchPayload);
  }
}

function setup() {
  let consumer!: FakeConsumer;
  const kafka = {
    consumer: (config: ConsumerConfig) => (consumer = new FakeConsumer(config)),
  } as unknown as Kafka;
  const reader = new PartitionReader({ kafka, topic: TOPIC, groupId: 'svc-trace-reader-x-1', pollMs: 100, fetchBytes: 1 << 22 });
  return { reader, consumer };
}

async function started() {
  const { reader, consumer } = setup();
  const start = reader.start();
  await new Promise((r) => setImmediate(r));
  consumer.join([0, 1, 2]);
  await start;
  consumer.calls = [];
  return { reader, consumer };
}

const collect = (overrides: Partial<RangeRead> = {}) => {
  const offsets: string[] = [];
  const request: RangeRead = {
    partition: 1,
    start: 10n,
    end: 20n,
    maxMessages: 1000,
    maxMillis: 10000,
    onMessage: (m) => {
      offsets.push(m.offset);
      return false;
    },
    ...overrides,
  };
  return { offsets, request };
};

describe('PartitionReader', () => {
  it('joins a group of its own, never auto-commits, and pauses every partition before the first fetch', async () => {
    const { reader, consumer } = setup();
    const start = reader.start();
    await new Promise((r) => setImmediate(r));
    expect(consumer.config).toMatchObject({ groupId: 'svc-trace-reader-x-1', readUncommitted: true, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    consumer.join([0, 1, 2]);
    await start;
    expect(consumer.calls).toEqual(['connect', `subscribe ${TOPIC} fromBeginning=true`, 'run autoCommit=false', 'pause 0,1,2']);
    expect(reader.usable).toBe(true);
  });

  it('aims a read with seek + resume, feeds it, and pauses the partition when the range is done', async () => {
    const { reader, consumer } = await started();
    const { offsets, request } = collect();
    const read = reader.read(request);
    expect(consumer.calls).toEqual(['seek 1@10', 'resume 1']);
    await consumer.batch(1, 10, 15);
    await consumer.batch(1, 15, 25);
    expect(await read).toEqual({ kind: 'complete', read: 10, next: 20n });
    expect(offsets).toEqual(['10', '11', '12', '13', '14', '15', '16', '17', '18', '19']);
    expect(consumer.calls.slice(2)).toEqual(['pause 1']);
  });

  it('drops stale batches (fetched before its seek) and pauses partitions nobody reads', async () => {
    const { reader, consumer } = await started();
    const { offsets, request } = collect();
    const read = reader.read(request);
    consumer.staleFor.add(1);
    await consumer.batch(1, 0, 5); // an older read's batch
    consumer.staleFor.clear();
    await consumer.batch(2, 0, 5); // nobody reads partition 2
    await consumer.batch(1, 10, 20);
    await read;
    expect(offsets).toHaveLength(10);
    expect(reader.stats).toEqual({ joins: 1, batches: 1, staleBatches: 1, strayBatches: 1 });
    expect(consumer.calls).toContain('pause 2');
  });

  it('re-pauses idle partitions and re-aims running reads when the group re-forms', async () => {
    const { reader, consumer } = await started();
    const { offsets, request } = collect();
    const read = reader.read(request);
    await consumer.batch(1, 10, 13);
    consumer.calls = [];
    consumer.join([0, 1, 2]); // a rebalance: kafkajs would restart partition 1 from the earliest offset
    expect(consumer.calls).toEqual(['pause 0,2', 'seek 1@13']);
    await consumer.batch(1, 0, 20); // even if it does, offsets already read are skipped
    expect(await read).toMatchObject({ kind: 'complete', read: 10 });
    expect(offsets).toEqual(['10', '11', '12', '13', '14', '15', '16', '17', '18', '19']);
  });

  it('refuses a second read of a partition already being read', async () => {
    const { reader } = await started();
    void reader.read(collect().request);
    expect(() => reader.read(collect().request)).toThrow('already being read');
  });

  it('fails its reads and becomes unusable when the consumer crashes', async () => {
    const { reader, consumer } = await started();
    const read = reader.read(collect().request);
    consumer.crash('Connection error: read ECONNRESET');
    expect(await read).toMatchObject({ kind: 'failed', reason: 'Kafka consumer crashed: Connection error: read ECONNRESET' });
    expect(reader.usable).toBe(false);
    expect(await reader.read(collect().request)).toMatchObject({ kind: 'failed', reason: 'Kafka consumer crashed: Connection error: read ECONNRESET' });
  });

  it('rejects start and disconnects when it cannot connect', async () => {
    const { reader, consumer } = setup();
    consumer.connectError = new Error('Connection error: connect ECONNREFUSED');
    await expect(reader.start()).rejects.toThrow('ECONNREFUSED');
    expect(reader.usable).toBe(false);
    expect(consumer.calls).toEqual(['connect', 'disconnect']);
  });

  it('closes while still joining: stops waiting for the group and disconnects', async () => {
    const { reader, consumer } = setup();
    const start = reader.start();
    await new Promise((r) => setImmediate(r));
    await reader.close(); // no GROUP_JOIN ever came
    await expect(start).rejects.toThrow('reader closed');
    expect(consumer.calls.filter((c) => c === 'disconnect').length).toBeGreaterThan(0);
    expect(reader.usable).toBe(false);
  });

  it('ends reads in flight when closed', async () => {
    const { reader, consumer } = await started();
    const read = reader.read(collect().request);
    await reader.close();
    expect(await read).toMatchObject({ kind: 'failed', reason: 'reader closed' });
    expect(consumer.calls).toContain('disconnect');
  });
});
