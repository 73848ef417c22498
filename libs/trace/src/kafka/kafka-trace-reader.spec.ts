import { Settings, validateEnv } from '@lib/config';
import { traceRef } from '../decisions/inputs';
import { statusFromKafka } from '../decisions/primary-rules';
import { ConsumerGroupOffsets } from './consumer-group-offsets';
import { EXAMPLE_TRACE_ID, T, traceItem } from '../testing/fixtures';
import { KafkaTraceReader } from './kafka-trace-reader';
import { LocatedMessage, LocateRequest, LocateResult, MessageLocator } from './message-locator';
import { partitionForKey, ProducedMessages } from '@lib/kafka';
import { FakeAdmin } from './testing/fake-admin';
import { failedProposal, proposal } from './testing/messages';
import { ReplayPool } from './testing/replay-pool';
import { TopicScan } from './topic-scan';
import { TraceKafkaOptions, traceKafkaOptions } from './trace-kafka-options';

const settings = new Settings(validateEnv({}));
const { mcp: MCP, mclVersioned: MCL, mclTimeseries: MCL_TS, failedMcp: FAILED } = settings.topics;
const { mce: MCE, mae: MAE } = settings.groups;
const TRACE = traceRef(EXAMPLE_TRACE_ID, T);
const urn = (i: number) => `urn:li:dataset:(urn:li:dataPlatform:hive,db.t${i},PROD)`;
const item = (u: string, aspect: string) => traceItem(u, aspect);

/** A locator answering from a table, slowly if asked, and honouring the abort signal. */
class FakeLocator {
  plans: { topic: string; timestamp: number | undefined }[] = [];
  requests: LocateRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  delayMs: (urn: string) => number = () => 0;
  /** `${urn} ${aspect}` -> answer; default not-found. */
  answers = new Map<string, LocatedMessage>();
  planError?: Error;

  asLocator(): MessageLocator {
    return this as unknown as MessageLocator;
  }

  async planScan(topic: string, timestamp: number | undefined): Promise<TopicScan> {
    this.plans.push({ topic, timestamp });
    if (this.planError) throw this.planError;
    return { topic, partitions: 3, windows: new Map() };
  }

  async locate(request: LocateRequest): Promise<LocateResult> {
    this.requests.push(request);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const aborted = await abortableSleep(this.delayMs(request.urn), request.signal);
      const byAspect = new Map<string, LocatedMessage>(
        request.aspects.map((a) => [
          a,
          aborted ? { kind: 'failed', reason: String(request.signal?.reason?.message) } : (this.answers.get(`${request.urn} ${a}`) ?? { kind: 'not-found' }),
        ]),
      );
      return { byAspect, read: 0 };
    } finally {
      this.inFlight--;
    }
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function setup(options: Partial<TraceKafkaOptions> = {}) {
  const admin = new FakeAdmin();
  const locator = new FakeLocator();
  const opts = traceKafkaOptions({ concurrency: 4, deadlineMs: 2000, ...options });
  const produced = new ProducedMessages();
  const reader = new KafkaTraceReader(new ConsumerGroupOffsets(admin, opts), locator.asLocator(), settings, opts, produced);
  return { admin, locator, reader, produced };
}

describe('KafkaTraceReader.mcpLookups', () => {
  it('takes the position of a message this process produced from ProducedMessages, and scans only for the others', async () => {
    const { admin, locator, reader, produced } = setup();
    admin.commits.set(MCE, { [MCP]: ['5', '5', '5'] });
    produced.record(MCP, urn(1), { traceId: TRACE.traceId, aspect: 'status' }, { partition: 2, offset: '7', timestamp: T + 3 });
    produced.record(MCP, urn(2), { traceId: 'another trace', aspect: 'status' }, { partition: 1, offset: '1', timestamp: T });
    const [known, other] = [item(urn(1), 'status'), item(urn(2), 'status')];
    const found = await reader.mcpLookups([known, other], TRACE);
    expect(found.get(known)).toEqual({ kind: 'found', offset: '7', committed: '5', timestamp: T + 3, at: { groupId: MCE, topic: MCP, partition: 2 } });
    expect(locator.requests.map((r) => r.urn)).toEqual([urn(2)]);
  });

  it('reads each URN once with all its aspects, on the URN partition, after planning the topic once', async () => {
    const { admin, locator, reader } = setup();
    admin.commits.set(MCE, { [MCP]: ['5', '5', '5'] });
    const items = [item(urn(1), 'status'), item(urn(2), 'status'), item(urn(1), 'ownership'), item(urn(1), 'status')];
    await reader.mcpLookups(items, TRACE);

    expect(locator.plans).toEqual([{ topic: MCP, timestamp: T }]);
    expect(locator.requests.map((r) => [r.urn, r.partition, r.aspects, r.format, r.traceId])).toEqual([
      [urn(1), partitionForKey(urn(1), 3), ['status', 'ownership', 'status'], 'change', TRACE.traceId],
      [urn(2), partitionForKey(urn(2), 3), ['status'], 'change', TRACE.traceId],
    ]);
  });

  it('pairs each found message with the committed offset of its partition (null when not committed there)', async () => {
    const { admin, locator, reader } = setup();
    const [a, b] = [urn(1), urn(3)];
    const committed = ['-1', '-1', '-1'];
    committed[partitionForKey(a, 3)] = '10';
    admin.commits.set(MCE, { [MCP]: committed });
    expect(partitionForKey(a, 3)).not.toBe(partitionForKey(b, 3));
    locator.answers.set(`${a} status`, { kind: 'found', offset: '10', timestamp: T + 3, value: {} });
    locator.answers.set(`${b} status`, { kind: 'found', offset: '4', timestamp: T + 4, value: {} });
    const [ia, ib, ic] = [item(a, 'status'), item(b, 'status'), item(a, 'ownership')];

    const got = await reader.mcpLookups([ia, ib, ic], TRACE);
    expect(got.get(ia)).toEqual({
      kind: 'found',
      offset: '10',
      committed: '10',
      timestamp: T + 3,
      at: { groupId: MCE, topic: MCP, partition: partitionForKey(a, 3) },
    });
    expect(got.get(ib)).toEqual({
      kind: 'found',
      offset: '4',
      committed: null,
      timestamp: T + 4,
      at: { groupId: MCE, topic: MCP, partition: partitionForKey(b, 3) },
    });
    expect(got.get(ic)).toEqual({ kind: 'not-found' });
    expect(statusFromKafka(got.get(ia)!).writeStatus).toBe('PENDING'); // at the committed offset: not yet read
    expect(statusFromKafka(got.get(ib)!).writeStatus).toBe('PENDING'); // partition not committed yet
  });

  it('answers no-group for every item without reading messages when the MCE group does not exist', async () => {
    const { locator, reader } = setup();
    const items = [item(urn(1), 'status'), item(urn(2), 'status')];
    const got = await reader.mcpLookups(items, TRACE);
    expect([...got.values()]).toEqual([{ kind: 'no-group' }, { kind: 'no-group' }]);
    expect(locator.plans).toHaveLength(0);
    expect(locator.requests).toHaveLength(0);
  });

  it('looks URNs up in parallel, at most `concurrency` at once', async () => {
    const { admin, locator, reader } = setup({ concurrency: 3 });
    admin.commits.set(MCE, { [MCP]: ['0', '0', '0'] });
    locator.delayMs = () => 20;
    const items = Array.from({ length: 10 }, (_, i) => item(urn(i), 'status'));
    const started = Date.now();
    const got = await reader.mcpLookups(items, TRACE);
    expect(got.size).toBe(10);
    expect(locator.maxInFlight).toBe(3);
    expect(Date.now() - started).toBeLessThan(10 * 20); // not one after the other
  });

  it('answers "timed out" for the items still running at the deadline, keeping the finished ones', async () => {
    const { admin, locator, reader } = setup({ deadlineMs: 100, concurrency: 2 });
    admin.commits.set(MCE, { [MCP]: ['0', '0', '0'] });
    const slow = urn(1);
    locator.delayMs = (u) => (u === slow ? 5000 : 5);
    locator.answers.set(`${urn(2)} status`, { kind: 'found', offset: '3', timestamp: T, value: {} });
    const items = [item(slow, 'status'), item(slow, 'ownership'), item(urn(2), 'status'), item(urn(3), 'status')];
    const started = Date.now();
    const got = await reader.mcpLookups(items, TRACE);

    expect(Date.now() - started).toBeLessThan(1000);
    expect(got.get(items[0])).toEqual({ kind: 'failed', reason: 'timed out after 100 ms' });
    expect(got.get(items[1])).toEqual({ kind: 'failed', reason: 'timed out after 100 ms' });
    expect(got.get(items[2])).toMatchObject({ kind: 'found', offset: '3' });
    expect(got.get(items[3])).toEqual({ kind: 'not-found' });
  });

  it('times out even when Kafka hangs before any message is read, and shares a deadline given by the caller', async () => {
    const { admin, reader } = setup({ deadlineMs: 60000 });
    admin.delayMs = 5000; // the admin never answers in time
    const started = Date.now();
    const got = await reader.mcpLookups([item(urn(1), 'status')], TRACE, { deadlineAt: Date.now() + 80 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect([...got.values()]).toEqual([{ kind: 'failed', reason: expect.stringMatching(/^timed out after \d+ ms$/) }]);
  });

  it('turns a Kafka error into failed lookups naming Kafka, never a throw', async () => {
    const { admin, reader } = setup();
    admin.failWith = new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    const got = await reader.mcpLookups([item(urn(1), 'status')], TRACE);
    expect([...got.values()]).toEqual([{ kind: 'failed', reason: `Kafka error on ${MCP}: Connection error: connect ECONNREFUSED 127.0.0.1:9092` }]);
  });

  it('turns a failed topic plan into failed lookups naming Kafka', async () => {
    const { admin, locator, reader } = setup();
    admin.commits.set(MCE, { [MCP]: ['0', '0', '0'] });
    locator.planError = new Error('This server does not host this topic-partition');
    const got = await reader.mcpLookups([item(urn(1), 'status')], TRACE);
    expect([...got.values()]).toEqual([{ kind: 'failed', reason: `Kafka error on ${MCP}: This server does not host this topic-partition` }]);
  });

  it('uses the offset cache unless skipCache', async () => {
    const { admin, reader } = setup();
    admin.commits.set(MCE, { [MCP]: ['0', '0', '0'] });
    await reader.mcpLookups([item(urn(1), 'status')], TRACE);
    await reader.mcpLookups([item(urn(1), 'status')], TRACE);
    expect(admin.count('committedOffsets')).toBe(1);
    await reader.mcpLookups([item(urn(1), 'status')], TRACE, { skipCache: true });
    expect(admin.count('committedOffsets')).toBe(2);
  });

  it('touches nothing for no items', async () => {
    const { admin, locator, reader } = setup();
    expect((await reader.mcpLookups([], TRACE)).size).toBe(0);
    expect(admin.calls).toHaveLength(0);
    expect(locator.plans).toHaveLength(0);
  });
});

describe('KafkaTraceReader.mclLookups', () => {
  it.each([
    [false, MCL],
    [true, MCL_TS],
  ])('timeseries=%p reads %s against the MAE group', async (timeseries, topic) => {
    const { admin, locator, reader } = setup();
    admin.commits.set(MAE, { [topic]: ['7', '7', '7'] });
    locator.answers.set(`${urn(1)} status`, { kind: 'found', offset: '6', timestamp: T, value: {} });
    const it = item(urn(1), 'status');
    const got = await reader.mclLookups([it], TRACE, timeseries);
    expect(locator.plans[0].topic).toBe(topic);
    expect(got.get(it)).toMatchObject({ kind: 'found', offset: '6', committed: '7', timestamp: T });
    expect(statusFromKafka(got.get(it)!).writeStatus).toBe('ERROR'); // consumed, yet not indexed
    expect(admin.calls[0]).toBe(`committedOffsets ${MAE} ${topic}`);
  });
});

describe('KafkaTraceReader.failedLookups', () => {
  it('returns the recorded exceptions of items found on the failed topic, undefined for the others', async () => {
    const { locator, reader } = setup();
    locator.answers.set(`${urn(1)} glossaryTerms`, {
      kind: 'found',
      offset: '0',
      timestamp: T,
      value: failedProposal(urn(1), 'glossaryTerms', TRACE.traceId, 'Expected version -10000, actual version -1'),
    });
    const [failed, fine] = [item(urn(1), 'glossaryTerms'), item(urn(2), 'status')];
    const got = await reader.failedLookups([failed, fine], TRACE);
    expect(locator.plans[0].topic).toBe(FAILED);
    expect(locator.requests[0].format).toBe('failed');
    // TRACE_STACK_TRACES defaults to none: the message and class, no frames.
    expect(got.get(failed)?.exceptions).toEqual([expect.objectContaining({ message: 'Expected version -10000, actual version -1', stackTrace: [] })]);
    expect(got.has(fine)).toBe(true);
    expect(got.get(fine)).toBeUndefined();
  });

  it('with TRACE_STACK_TRACES=full, gives the frames, relative to the project', async () => {
    const admin = new FakeAdmin();
    const locator = new FakeLocator();
    const opts = traceKafkaOptions({ concurrency: 4, deadlineMs: 2000 });
    const full = new Settings(validateEnv({ TRACE_STACK_TRACES: 'full' }));
    const reader = new KafkaTraceReader(new ConsumerGroupOffsets(admin, opts), locator.asLocator(), full, opts);
    const value = failedProposal(urn(1), 'glossaryTerms', TRACE.traceId, 'boom') as { error: string };
    const error = JSON.parse(value.error) as { stackTrace: string[] }[];
    error[0].stackTrace = ['at f (/srv/app/dist/libs/ingest/src/x.js:1:2)'];
    locator.answers.set(`${urn(1)} glossaryTerms`, { kind: 'found', offset: '0', timestamp: T, value: { ...value, error: JSON.stringify(error) } });
    const got = await reader.failedLookups([item(urn(1), 'glossaryTerms')], TRACE);
    expect([...got.values()][0]?.exceptions[0].stackTrace).toEqual(['at f (dist/libs/ingest/src/x.js:1:2)']);
  });

  it('answers undefined, without throwing, when Kafka fails', async () => {
    const { locator, reader } = setup();
    locator.planError = new Error('Connection error');
    const it = item(urn(1), 'status');
    const got = await reader.failedLookups([it], TRACE);
    expect(got.has(it)).toBe(true);
    expect(got.get(it)).toBeUndefined();
  });
});

describe('KafkaTraceReader over the real locator (replayed log)', () => {
  it('finds our proposal among others and places it against the committed offset', async () => {
    const admin = new FakeAdmin();
    const pool = new ReplayPool();
    const options = traceKafkaOptions({ maxMessages: 10000 });
    const reader = new KafkaTraceReader(new ConsumerGroupOffsets(admin, options), new MessageLocator(admin, pool.asPool(), options), settings, options);
    const target = urn(42);
    const p = partitionForKey(target, 3);
    for (let i = 0; i < 1000; i++) pool.append(MCP, p, urn(1000 + i), proposal(urn(1000 + i), 'status', TRACE.traceId));
    const offset = pool.append(MCP, p, target, proposal(target, 'status', TRACE.traceId), T + 2);
    const high = String(pool.logs.get(MCP)![p].length);
    admin.ranges.set(
      MCP,
      [0, 1, 2].map((partition) => ({ partition, low: '0', high: partition === p ? high : '0' })),
    );
    admin.atTime.set(
      MCP,
      [0, 1, 2].map((partition) => ({ partition, offset: partition === p ? '900' : '0' })),
    );
    const committed = ['0', '0', '0'];
    committed[p] = '1001';
    admin.commits.set(MCE, { [MCP]: committed });

    const it = item(target, 'status');
    const got = await reader.mcpLookups([it], TRACE);
    expect(got.get(it)).toMatchObject({ kind: 'found', offset, committed: '1001', timestamp: T + 2 });
    expect(statusFromKafka(got.get(it)!).writeStatus).toBe('ERROR');
    expect(pool.reads).toEqual([{ topic: MCP, partition: p, start: 900n, end: 1001n }]);
  });
});
