import { setMaxListeners } from 'events';
import { WaitPoint } from './decisions/inputs';
import { TraceResponse } from './decisions/search-and-response';
import { WriteStatus } from './decisions/status';
import { KafkaAdminPort, PartitionOffset, PartitionRange } from './kafka/kafka-admin.port';
import { OffsetWatcher, TraceWaitOptions } from './offset-watcher';
import { TraceWaiter } from './trace-waiter';
import { TraceOptions, TraceOutcome, TraceService } from './trace.service';
import { partitionForKey } from '@lib/kafka';

const MCE = 'mce-group';
const MAE = 'mae-group';
const MCP = 'MetadataChangeProposal_v1';
const MCL = 'MetadataChangeLog_Versioned_v1';
const MCL_TS = 'MetadataChangeLog_Timeseries_v1';
const POLL = 20;
const URN = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)';
const ITEM = { urn: URN, entityType: 'dataset', aspect: 'status', isTimeseries: false };
const REF = { traceId: '00062c53a468cbd8077e7dd079846870', timestamp: 1 };
const OPTS: TraceOptions = { onlyIncludeErrors: false, detailed: false, skipCache: false };
const CHANGE_LOGS = { groupId: MAE, topic: MCL };

/** Committed offsets set by hand, every fetch counted. */
class FakeAdmin extends KafkaAdminPort {
  /** group -> topic -> partition -> committed offset */
  readonly committed = new Map<string, Map<string, Map<number, string>>>();
  readonly fetches: { groupId: string; topics: readonly string[] }[] = [];
  failing = false;

  commit(groupId: string, topic: string, partition: number, offset: number): void {
    const topics = this.committed.get(groupId) ?? new Map<string, Map<number, string>>();
    const partitions = topics.get(topic) ?? new Map<number, string>();
    partitions.set(partition, String(offset));
    topics.set(topic, partitions);
    this.committed.set(groupId, topics);
  }

  override async committedOffsetsOfTopics(groupId: string, topics: readonly string[]): Promise<Map<string, PartitionOffset[]>> {
    this.fetches.push({ groupId, topics });
    if (this.failing) throw new Error('broker down');
    return new Map(
      topics.map((t) => [t, [...(this.committed.get(groupId)?.get(t) ?? new Map<number, string>())].map(([partition, offset]) => ({ partition, offset }))]),
    );
  }
  committedOffsets(): Promise<PartitionOffset[]> {
    throw new Error('the watcher fetches all topics of a group at once');
  }
  groupState(): Promise<string> {
    throw new Error('not used');
  }
  /** End offsets by topic (a topic without any: the read fails); every read recorded. */
  readonly ranges = new Map<string, PartitionRange[]>();
  readonly rangeReads: string[] = [];
  async partitionRanges(topic: string): Promise<PartitionRange[]> {
    this.rangeReads.push(topic);
    const ranges = this.ranges.get(topic);
    if (!ranges) throw new Error('This server does not host this topic-partition');
    return ranges;
  }
  offsetsAtTime(): Promise<PartitionOffset[]> {
    throw new Error('not used');
  }
}

const point = (groupId: string, topic: string, partition: number, offset: number): WaitPoint => ({ groupId, topic, partition, offset: String(offset) });

function watcherWith(options: Partial<TraceWaitOptions> = {}) {
  const admin = new FakeAdmin();
  const watcher = new OffsetWatcher(admin, { defaultWaitMs: 5000, maxWaiters: 1000, pollMs: POLL, changeLogs: CHANGE_LOGS, ...options });
  return { admin, watcher };
}

/** Lets the timers of `ms` run, and the promises they settle. */
const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

/** Settles a promise's state without waiting for it: 'pending' until it resolves. */
function track<T>(p: Promise<T>): { state: () => 'pending' | T } {
  let done = false;
  let value: T;
  void p.then((v) => {
    done = true;
    value = v;
  });
  return { state: () => (done ? value : 'pending') };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('OffsetWatcher', () => {
  it('makes one fetch per group per interval for all its waiters, and none once nobody waits', async () => {
    const { admin, watcher } = watcherWith();
    const never = new AbortController();
    setMaxListeners(0, never.signal);
    const waits = Array.from({ length: 200 }, (_, i) => track(watcher.waitPast([point(MCE, MCP, i % 3, 100 + i)], never.signal)));
    await advance(POLL * 5);
    expect(admin.fetches).toHaveLength(5);
    expect(admin.fetches.every((f) => f.groupId === MCE && f.topics.length === 1 && f.topics[0] === MCP)).toBe(true);
    expect(watcher.fetches.get(MCE)).toBe(5);

    for (let p = 0; p < 3; p++) admin.commit(MCE, MCP, p, 10_000);
    await advance(POLL);
    expect(waits.every((w) => w.state() === true)).toBe(true);
    expect(watcher.watching).toBe(0);
    const fetched = admin.fetches.length;
    await advance(POLL * 10);
    expect(admin.fetches).toHaveLength(fetched);
  });

  it('fetches each group once per interval, all the topics waited on of a group in that one fetch', async () => {
    const { admin, watcher } = watcherWith();
    const never = new AbortController().signal;
    void watcher.waitPast([point(MCE, MCP, 0, 1)], never);
    void watcher.waitPast([point(MAE, MCL, 0, 1)], never);
    void watcher.waitPast([point(MAE, MCL_TS, 1, 1), point(MAE, MCL, 2, 1)], never);
    await advance(POLL);
    expect(admin.fetches).toHaveLength(2);
    expect(admin.fetches.find((f) => f.groupId === MAE)?.topics).toEqual([MCL, MCL_TS]);
  });

  it('releases a waiter once the committed offset is past its message (the committed offset is the next to read)', async () => {
    const { admin, watcher } = watcherWith();
    const wait = track(watcher.waitPast([point(MCE, MCP, 1, 7), point(MCE, MCP, 2, 3)], new AbortController().signal));
    admin.commit(MCE, MCP, 1, 7); // at the offset: not yet read
    admin.commit(MCE, MCP, 2, 4);
    await advance(POLL * 3);
    expect(wait.state()).toBe('pending');
    admin.commit(MCE, MCP, 1, 8);
    await advance(POLL);
    expect(wait.state()).toBe(true);
  });

  it('keeps waiting through a failed fetch', async () => {
    const { admin, watcher } = watcherWith();
    const wait = track(watcher.waitPast([point(MCE, MCP, 0, 0)], new AbortController().signal));
    admin.failing = true;
    admin.commit(MCE, MCP, 0, 1);
    await advance(POLL * 2);
    expect(wait.state()).toBe('pending');
    admin.failing = false;
    await advance(POLL);
    expect(wait.state()).toBe(true);
  });

  it('ends a wait when its signal aborts, and then stops fetching', async () => {
    const { admin, watcher } = watcherWith();
    const gone = new AbortController();
    const wait = track(watcher.waitPast([point(MCE, MCP, 0, 5)], gone.signal));
    await advance(POLL);
    gone.abort();
    await advance(0);
    expect(wait.state()).toBe(false);
    expect(watcher.watching).toBe(0);
    const fetched = admin.fetches.length;
    await advance(POLL * 5);
    expect(admin.fetches).toHaveLength(fetched);
  });

  it('releases every waiter on shutdown and refuses new ones', async () => {
    const { watcher } = watcherWith();
    const never = new AbortController().signal;
    const waits = [track(watcher.waitPast([point(MCE, MCP, 0, 5)], never)), track(watcher.waitPast([point(MAE, MCL, 0, 5)], never))];
    watcher.onModuleDestroy();
    await advance(0);
    expect(waits.map((w) => w.state())).toEqual([false, false]);
    await expect(watcher.waitPast([point(MCE, MCP, 0, 5)], never)).resolves.toBe(false);
  });
});

const outcome = (primary: WriteStatus, search: WriteStatus, waits: WaitPoint[] = [], queued: TraceOutcome['queued'] = []): TraceOutcome => ({
  response: { [URN]: { status: { success: true, primaryStorage: { writeStatus: primary }, searchStorage: { writeStatus: search } } } } as TraceResponse,
  pending: primary === WriteStatus.PENDING || search === WriteStatus.PENDING,
  waits,
  queued,
});

const PENDING_MCE = outcome(WriteStatus.PENDING, WriteStatus.PENDING, [point(MCE, MCP, 0, 10)]);
const PENDING_MAE = outcome(WriteStatus.ACTIVE_STATE, WriteStatus.PENDING, [point(MAE, MCL, 0, 20)]);
const ACTIVE = outcome(WriteStatus.ACTIVE_STATE, WriteStatus.ACTIVE_STATE);
/** PENDING in primary storage, with the proposal located: its change log is still to come. */
const QUEUED = outcome(WriteStatus.PENDING, WriteStatus.PENDING, [point(MCE, MCP, 0, 10)], [ITEM]);

/** A TraceWaiter over a TraceService answering `answer()` each time (its calls recorded), and a watcher on a fake admin. */
function waiterWith(answer: (call: number) => TraceOutcome, options: Partial<TraceWaitOptions> = {}) {
  const { admin, watcher } = watcherWith(options);
  const calls: TraceOptions[] = [];
  const traces = {
    traceOutcome: async (_ref: unknown, _items: unknown, opts: TraceOptions) => {
      calls.push(opts);
      return answer(calls.length);
    },
  } as unknown as TraceService;
  const waiter = new TraceWaiter(traces, watcher, { defaultWaitMs: 5000, maxWaiters: 1000, pollMs: POLL, changeLogs: CHANGE_LOGS, ...options });
  return { admin, watcher, waiter, calls };
}

const statesOf = (r: TraceResponse | 'pending'): string =>
  r === 'pending' ? 'pending' : `${r[URN].status.primaryStorage.writeStatus}/${r[URN].status.searchStorage.writeStatus}`;

describe('TraceWaiter', () => {
  it('answers at once when nothing is PENDING', async () => {
    const { waiter, calls, admin } = waiterWith(() => ACTIVE);
    expect(statesOf(await waiter.trace(REF, [ITEM], OPTS, 5000))).toBe('ACTIVE_STATE/ACTIVE_STATE');
    expect(calls).toHaveLength(1);
    expect(admin.fetches).toHaveLength(0);
  });

  it('answers at once with waitMs=0', async () => {
    const { waiter, calls } = waiterWith(() => PENDING_MCE);
    expect(statesOf(await waiter.trace(REF, [ITEM], OPTS, 0))).toBe('PENDING/PENDING');
    expect(calls).toHaveLength(1);
  });

  it('traces again only when the offsets are passed, stage by stage, with fresh offsets', async () => {
    const { waiter, calls, admin } = waiterWith((n) => [PENDING_MCE, PENDING_MAE, ACTIVE][n - 1]);
    const answer = track(waiter.trace(REF, [ITEM], OPTS, 5000));
    await advance(POLL * 5);
    expect(answer.state()).toBe('pending');
    expect(calls).toHaveLength(1); // no polling of the trace while waiting
    admin.commit(MCE, MCP, 0, 11);
    await advance(POLL);
    expect(calls).toHaveLength(2);
    expect(calls[1].skipCache).toBe(true);
    expect(answer.state()).toBe('pending'); // now PENDING on the change log
    admin.commit(MAE, MCL, 0, 21);
    await advance(POLL);
    expect(statesOf(answer.state() as TraceResponse)).toBe('ACTIVE_STATE/ACTIVE_STATE');
    expect(calls).toHaveLength(3);
    expect(waiter.waiting).toBe(0);
  });

  it('follows an applied proposal to its change log without tracing in between: the MAE group must pass the end offsets read then', async () => {
    const { waiter, calls, admin } = waiterWith((n) => [QUEUED, ACTIVE][n - 1]);
    // Three partitions on the change-log topic; the URN's is the one that must be passed.
    admin.ranges.set(
      MCL,
      [0, 1, 2].map((partition) => ({ partition, low: '0', high: String(100 + partition) })),
    );
    const urnPartition = partitionForKey(URN, 3);
    const answer = track(waiter.trace(REF, [ITEM], OPTS, 5000));
    admin.commit(MCE, MCP, 0, 11);
    await advance(POLL * 3);
    expect(admin.rangeReads).toEqual([MCL]);
    expect(calls).toHaveLength(1); // applied, but not traced: its change log is not indexed yet
    for (const p of [0, 1, 2].filter((p) => p !== urnPartition)) admin.commit(MAE, MCL, p, 200);
    admin.commit(MAE, MCL, urnPartition, 100 + urnPartition - 1); // the last change log not processed yet
    await advance(POLL * 3);
    expect(answer.state()).toBe('pending');
    admin.commit(MAE, MCL, urnPartition, 100 + urnPartition);
    await advance(POLL);
    expect(statesOf(answer.state() as TraceResponse)).toBe('ACTIVE_STATE/ACTIVE_STATE');
    expect(calls).toHaveLength(2);
    expect(calls[1].skipCache).toBe(true);
  });

  it('traces at once after the proposal is applied when the end offsets cannot be read', async () => {
    const { waiter, calls, admin } = waiterWith((n) => [QUEUED, ACTIVE][n - 1]);
    const answer = track(waiter.trace(REF, [ITEM], OPTS, 5000));
    admin.commit(MCE, MCP, 0, 11);
    await advance(POLL * 2);
    expect(statesOf(answer.state() as TraceResponse)).toBe('ACTIVE_STATE/ACTIVE_STATE');
    expect(calls).toHaveLength(2);
  });

  it('answers the states of its deadline when the write stays PENDING', async () => {
    const { waiter, calls } = waiterWith(() => PENDING_MCE);
    const answer = track(waiter.trace(REF, [ITEM], OPTS, 1000));
    await advance(999);
    expect(answer.state()).toBe('pending');
    await advance(1);
    expect(statesOf(answer.state() as TraceResponse)).toBe('PENDING/PENDING');
    expect(calls).toHaveLength(2); // the first trace and the one at the deadline
    expect(waiter.waiting).toBe(0);
  });

  it('uses the configured default when the request gives no waitMs', async () => {
    const { waiter } = waiterWith(() => PENDING_MCE, { defaultWaitMs: 300 });
    const answer = track(waiter.trace(REF, [ITEM], OPTS));
    await advance(299);
    expect(answer.state()).toBe('pending');
    await advance(1);
    expect(answer.state()).not.toBe('pending');
  });

  it('frees the waiter of a client gone, without tracing again', async () => {
    const { waiter, calls, watcher } = waiterWith(() => PENDING_MCE);
    const gone = new AbortController();
    const answer = track(waiter.trace(REF, [ITEM], OPTS, 5000, gone.signal));
    await advance(POLL * 2);
    gone.abort();
    await advance(0);
    expect(statesOf(answer.state() as TraceResponse)).toBe('PENDING/PENDING');
    expect(calls).toHaveLength(1);
    expect(waiter.waiting).toBe(0);
    expect(watcher.watching).toBe(0);
  });

  it('answers every held request at once on shutdown, and holds none after', async () => {
    const { waiter, watcher } = waiterWith(() => PENDING_MCE);
    const answers = [track(waiter.trace(REF, [ITEM], OPTS, 5000)), track(waiter.trace(REF, [ITEM], OPTS, 5000))];
    await advance(POLL);
    expect(waiter.waiting).toBe(2);
    waiter.onModuleDestroy();
    watcher.onModuleDestroy();
    await advance(0);
    expect(answers.map((a) => statesOf(a.state() as TraceResponse))).toEqual(['PENDING/PENDING', 'PENDING/PENDING']);
    const late = track(waiter.trace(REF, [ITEM], OPTS, 5000));
    await advance(0);
    expect(late.state()).not.toBe('pending');
  });

  it('answers every held request at once on SIGTERM, before the modules are destroyed', async () => {
    const { waiter } = waiterWith(() => PENDING_MCE);
    waiter.onModuleInit();
    try {
      const answer = track(waiter.trace(REF, [ITEM], OPTS, 5000));
      await advance(POLL);
      process.emit('SIGTERM', 'SIGTERM');
      await advance(0);
      expect(statesOf(answer.state() as TraceResponse)).toBe('PENDING/PENDING');
    } finally {
      waiter.onModuleDestroy();
    }
    expect(process.listeners('SIGTERM')).not.toContain((waiter as unknown as { stop: unknown }).stop);
  });

  it('holds at most TRACE_MAX_WAITERS requests; past that a trace answers at once', async () => {
    const { waiter } = waiterWith(() => PENDING_MCE, { maxWaiters: 2 });
    const held = [track(waiter.trace(REF, [ITEM], OPTS, 5000)), track(waiter.trace(REF, [ITEM], OPTS, 5000))];
    await advance(0);
    const third = track(waiter.trace(REF, [ITEM], OPTS, 5000));
    await advance(0);
    expect(statesOf(third.state() as TraceResponse)).toBe('PENDING/PENDING');
    expect(held.map((h) => h.state())).toEqual(['pending', 'pending']);
    expect(waiter.waiting).toBe(2);
    await advance(5000);
    expect(waiter.waiting).toBe(0);
  });
});
