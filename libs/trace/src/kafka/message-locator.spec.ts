import { EXAMPLE_TRACE_ID } from '../testing/fixtures';
import { MessageLocator } from './message-locator';
import { FakeAdmin } from './testing/fake-admin';
import { proposal } from './testing/messages';
import { ReplayPool } from './testing/replay-pool';
import { TopicScan } from './topic-scan';
import { traceKafkaOptions } from './trace-kafka-options';

const TOPIC = 'mcp';
const URN = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)';
const OTHER = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.other,PROD)';
const TRACE = EXAMPLE_TRACE_ID;

function setup(options = {}) {
  const admin = new FakeAdmin();
  const pool = new ReplayPool();
  const locator = new MessageLocator(admin, pool.asPool(), traceKafkaOptions({ maxMessages: 10000, maxMillis: 3000, timestampSkewMs: 5000, ...options }));
  return { admin, pool, locator };
}

/** A whole-partition window over what the pool holds. */
function scanOf(pool: ReplayPool, start = 0n): TopicScan {
  const log = pool.logs.get(TOPIC) ?? [[], [], []];
  return {
    topic: TOPIC,
    partitions: log.length,
    windows: new Map(log.map((messages, partition) => [partition, { partition, start, end: BigInt(messages.length) }])),
  };
}

const target = { urn: URN, traceId: TRACE, format: 'change' as const, partition: 1 };

describe('MessageLocator.planScan', () => {
  it('asks for the offsets at the trace time less the skew margin', async () => {
    const { admin, locator } = setup();
    admin.ranges.set(TOPIC, [
      { partition: 0, low: '0', high: '50' },
      { partition: 1, low: '0', high: '80' },
    ]);
    admin.atTime.set(TOPIC, [
      { partition: 0, offset: '50' },
      { partition: 1, offset: '70' },
    ]);
    const scan = await locator.planScan(TOPIC, 1_700_000_000_000);
    expect(admin.calls).toContain(`offsetsAtTime ${TOPIC} ${1_700_000_000_000 - 5000}`);
    expect(scan.windows.get(1)).toEqual({ partition: 1, start: 70n, end: 80n });
  });

  it('scans everything retained, without a time query, when the trace id has no time', async () => {
    const { admin, locator } = setup();
    admin.ranges.set(TOPIC, [{ partition: 0, low: '3', high: '50' }]);
    const scan = await locator.planScan(TOPIC, undefined);
    expect(admin.count('offsetsAtTime')).toBe(0);
    expect(scan.windows.get(0)).toEqual({ partition: 0, start: 3n, end: 50n });
  });

  it('rejects when Kafka does (the facade turns it into failed lookups)', async () => {
    const { locator } = setup();
    await expect(locator.planScan('missing', 1)).rejects.toThrow('does not host');
  });
});

describe('MessageLocator.locate', () => {
  it('finds every wanted aspect in one pass and stops as soon as all are found', async () => {
    const { pool, locator } = setup();
    for (let i = 0; i < 500; i++) pool.append(TOPIC, 1, OTHER, proposal(OTHER, 'status', TRACE));
    const status = pool.append(TOPIC, 1, URN, proposal(URN, 'status', TRACE), 1234);
    pool.append(TOPIC, 1, URN, proposal(URN, 'status', 'ffff' + TRACE.slice(4))); // another trace
    const ownership = pool.append(TOPIC, 1, URN, proposal(URN, 'ownership', TRACE), 1235);
    for (let i = 0; i < 500; i++) pool.append(TOPIC, 1, OTHER, proposal(OTHER, 'status', TRACE));

    const result = await locator.locate({ ...target, scan: scanOf(pool), aspects: ['status', 'ownership'] });
    expect(result.byAspect.get('status')).toMatchObject({ kind: 'found', offset: status, timestamp: 1234 });
    expect(result.byAspect.get('ownership')).toMatchObject({ kind: 'found', offset: ownership, timestamp: 1235 });
    expect((result.byAspect.get('status') as { value: { aspectName: string } }).value.aspectName).toBe('status');
    expect(result.read).toBe(503);
    expect(pool.reads).toEqual([{ topic: TOPIC, partition: 1, start: 0n, end: 1003n }]);
  });

  it('answers not-found for an aspect absent from a window read to its end', async () => {
    const { pool, locator } = setup();
    pool.append(TOPIC, 1, URN, proposal(URN, 'status', TRACE));
    for (let i = 0; i < 300; i++) pool.append(TOPIC, 1, OTHER, proposal(OTHER, 'ownership', TRACE));
    const result = await locator.locate({ ...target, scan: scanOf(pool), aspects: ['status', 'ownership'] });
    expect(result.byAspect.get('status')?.kind).toBe('found');
    expect(result.byAspect.get('ownership')).toEqual({ kind: 'not-found' });
    expect(result.read).toBe(301);
  });

  it('keeps the first copy of a write found twice', async () => {
    const { pool, locator } = setup();
    const first = pool.append(TOPIC, 1, URN, proposal(URN, 'status', TRACE));
    pool.append(TOPIC, 1, URN, proposal(URN, 'status', TRACE));
    const result = await locator.locate({ ...target, scan: scanOf(pool), aspects: ['status'] });
    expect(result.byAspect.get('status')).toMatchObject({ kind: 'found', offset: first });
  });

  it('answers not-found without reading when the window is empty', async () => {
    const { pool, locator } = setup();
    pool.append(TOPIC, 1, URN, proposal(URN, 'status', TRACE));
    const result = await locator.locate({ ...target, scan: scanOf(pool, 1n), aspects: ['status'] });
    expect(result.byAspect.get('status')).toEqual({ kind: 'not-found' });
    expect(result.read).toBe(0);
  });

  it('answers failed, not not-found, when the message bound is hit before the end', async () => {
    const { pool, locator } = setup({ maxMessages: 100 });
    for (let i = 0; i < 300; i++) pool.append(TOPIC, 1, OTHER, proposal(OTHER, 'status', TRACE));
    pool.append(TOPIC, 1, URN, proposal(URN, 'status', TRACE));
    const result = await locator.locate({ ...target, scan: scanOf(pool), aspects: ['status'] });
    const status = result.byAspect.get('status');
    expect(status?.kind).toBe('failed');
    expect((status as { reason: string }).reason).toBe('gave up reading partition 1 of mcp: read 100 messages (the limit) without reaching offset 301');
  });

  it('answers failed when the time bound is hit', async () => {
    const { pool, locator } = setup({ maxMillis: 30 });
    pool.append(TOPIC, 1, OTHER, proposal(OTHER, 'status', TRACE));
    pool.stall = true;
    const result = await locator.locate({ ...target, scan: scanOf(pool), aspects: ['status'] });
    expect((result.byAspect.get('status') as { reason: string }).reason).toContain('in 30 ms without reaching offset 1');
  });

  it("answers failed with the abort's reason when the caller gives up", async () => {
    const { pool, locator } = setup();
    pool.append(TOPIC, 1, OTHER, proposal(OTHER, 'status', TRACE));
    pool.stall = true;
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('timed out after 50 ms')), 20);
    const result = await locator.locate({ ...target, scan: scanOf(pool), aspects: ['status'], signal: controller.signal });
    expect(result.byAspect.get('status')).toEqual({ kind: 'failed', reason: 'timed out after 50 ms' });
  });

  it('answers failed with the reader problem', async () => {
    const { pool, locator } = setup();
    pool.append(TOPIC, 1, URN, proposal(URN, 'status', TRACE));
    pool.outcome = { kind: 'failed', reason: 'Kafka consumer crashed: Connection error', read: 0, next: 0n };
    const result = await locator.locate({ ...target, scan: scanOf(pool), aspects: ['status'] });
    expect(result.byAspect.get('status')).toEqual({
      kind: 'failed',
      reason: 'reading partition 1 of mcp failed: Kafka consumer crashed: Connection error',
    });
  });

  it('answers failed for a partition the topic does not have', async () => {
    const { pool, locator } = setup();
    const result = await locator.locate({ ...target, partition: 7, scan: scanOf(pool), aspects: ['status'] });
    expect(result.byAspect.get('status')).toEqual({ kind: 'failed', reason: 'mcp has no partition 7' });
  });
});
