import { FakeKafka, FakeSearch, FakeSql } from '../testing/fake-stores';
import { DATASET, EXAMPLE_TRACE_ID, FOREIGN_TRACE_ID, sqlRow, systemDoc, T, traceIdAt, traceItem } from '../testing/fixtures';
import { itemKey } from '../trace-item';
import { TraceService } from '../trace.service';
import { FailedMcpEntry, KafkaLookup, SearchSystemDoc, SqlAspectRow, traceRef } from './inputs';
import { AspectTraceResult } from './search-and-response';

// The contract's acceptance scenarios (section 7) and the rules' combinations, through TraceService
// with the stores faked at their ports: the combination production runs.
const A = EXAMPLE_TRACE_ID;
const B = traceIdAt(T + 1000, '1111111111111111');

/** What the stores and Kafka hold for one aspect. */
interface Seen {
  traceId: string;
  isTimeseries?: boolean;
  latest?: SqlAspectRow;
  systemDoc?: SearchSystemDoc;
  /** Timeseries: a document of the aspect carrying our trace id is indexed. */
  timeseriesIndexed?: boolean;
  mcp?: KafkaLookup;
  mcl?: KafkaLookup;
  failed?: FailedMcpEntry;
}

/** One aspect traced with onlyIncludeErrors=false, detailed=true; `kafka.calls` shows which look-ups ran. */
async function traced(seen: Seen): Promise<{ result: AspectTraceResult; kafka: FakeKafka }> {
  const item = seen.isTimeseries ? traceItem(DATASET, 'datasetProfile', true) : traceItem(DATASET, 'status');
  const key = itemKey(item);
  const [sql, search, kafka] = [new FakeSql(), new FakeSearch(), new FakeKafka()];
  if (seen.latest) sql.rows.set(key, seen.latest);
  if (seen.systemDoc) search.docs.set(key, seen.systemDoc);
  if (seen.timeseriesIndexed) search.written.add(key);
  if (seen.mcp) kafka.mcp.set(key, seen.mcp);
  if (seen.mcl) kafka.mcl.set(key, seen.mcl);
  if (seen.failed) kafka.failed.set(key, seen.failed);
  const service = new TraceService(sql, search, kafka, 1000);
  const response = await service.trace(traceRef(seen.traceId, T + 60_000), [item], { onlyIncludeErrors: false, detailed: true, skipCache: false });
  return { result: response[item.urn][item.aspect], kafka };
}
const trace = async (seen: Seen) => (await traced(seen)).result;

/** Our write (or another) as the latest SQL row: created 5 ms after `at`, last observed at `at`. */
const row = (traceId: string, at: number, properties: Record<string, string> = {}) => sqlRow({ createdOn: at + 5, lastObserved: at, traceId, properties });
const doc = (traceId: string | undefined, at: number) => systemDoc({ traceId, lastUpdated: at });
const found = (offset: string, committed: string | null): KafkaLookup => ({ kind: 'found', offset, committed });
const consumed = found('4', '5');
const queued = found('5', '5');
const ACTIVE = { writeStatus: 'ACTIVE_STATE' };
const PENDING = { writeStatus: 'PENDING', writeMessage: 'Consumer has not processed offset.' };
const ERROR = { writeStatus: 'ERROR', writeMessage: 'Consumer has processed past the offset.' };
const NO_ANSWER = { writeStatus: 'UNKNOWN', writeMessage: 'Kafka lookup failed: Kafka gave no answer for this aspect.' };

describe('acceptance scenarios', () => {
  it('1. async write -> ACTIVE_STATE / ACTIVE_STATE, success', async () => {
    expect(await trace({ traceId: A, latest: row(A, T), systemDoc: doc(A, T) })).toEqual({ success: true, primaryStorage: ACTIVE, searchStorage: ACTIVE });
  });

  it('2. failed version check, detailed -> primary ERROR with exceptions, search ERROR', async () => {
    const failed = { exceptions: [{ message: 'Expected version -10000, actual version -1', exceptionClass: 'E', stackTrace: [] }] };
    expect(await trace({ traceId: A, mcp: consumed, failed })).toEqual({
      success: false,
      primaryStorage: { writeStatus: 'ERROR', writeExceptions: failed.exceptions },
      searchStorage: { writeStatus: 'ERROR', writeMessage: 'Primary storage write failed.' },
    });
  });

  it('3. write A then B -> A is HISTORIC_STATE / HISTORIC_STATE', async () => {
    expect(await trace({ traceId: A, latest: row(B, T + 1000), systemDoc: doc(B, T + 1000) })).toEqual({
      success: true,
      primaryStorage: { writeStatus: 'HISTORIC_STATE' },
      searchStorage: { writeStatus: 'HISTORIC_STATE' },
    });
  });

  it("3b. write A just before B: A's document applied after B's request started is older, not newer -> search PENDING", async () => {
    // A (trace time T - 1000) indexed with lastUpdated T + 500, the consumer's clock; B (trace time T) is ours and in SQL.
    const earlier = traceIdAt(T - 1000);
    expect((await trace({ traceId: A, latest: row(A, T), systemDoc: doc(earlier, T + 500), mcl: queued })).searchStorage).toEqual(PENDING);
  });

  it('4. trace id removed from the document -> search HISTORIC_STATE; document deleted -> search ERROR', async () => {
    expect((await trace({ traceId: A, latest: row(A, T), systemDoc: doc(undefined, T) })).searchStorage).toEqual({ writeStatus: 'HISTORIC_STATE' });
    expect(await trace({ traceId: A, latest: row(A, T), mcl: consumed })).toEqual({ success: false, primaryStorage: ACTIVE, searchStorage: ERROR });
  });

  it('4b. a write that never happened (mistyped trace id, wrong URN) -> NO_OP / NO_OP saying there is no such write', async () => {
    const NO_WRITE = { writeStatus: 'NO_OP', writeMessage: 'No write of this aspect under this trace id.' };
    // Another write is the latest row and the document; our id is on neither, nor on the topic.
    expect(await trace({ traceId: B, latest: row(A, T - 5000), systemDoc: doc(A, T - 5000), mcp: { kind: 'not-found' } })).toEqual({
      success: true,
      primaryStorage: NO_WRITE,
      searchStorage: NO_WRITE,
    });
    // A timeseries aspect: no event and no delete under our id, and nothing on its change-log topic.
    expect((await trace({ traceId: A, isTimeseries: true, mcl: { kind: 'not-found' } })).searchStorage).toEqual(NO_WRITE);
  });

  it('5. timeseries aspect -> NO_OP / ACTIVE_STATE once indexed', async () => {
    expect(await trace({ traceId: A, isTimeseries: true, timeseriesIndexed: true })).toEqual({
      success: true,
      primaryStorage: { writeStatus: 'NO_OP' },
      searchStorage: ACTIVE,
    });
  });

  it('6. same value written twice -> NO_OP / NO_OP', async () => {
    expect(await trace({ traceId: B, latest: row(B, T + 1000, { isNoOp: 'true' }), systemDoc: doc(B, T + 1000) })).toEqual({
      success: true,
      primaryStorage: { writeStatus: 'NO_OP' },
      searchStorage: { writeStatus: 'NO_OP' },
    });
  });

  it('8. MCE consumer stopped -> PENDING / PENDING', async () => {
    expect(await trace({ traceId: B, latest: row(A, T), systemDoc: doc(A, T), mcp: queued })).toEqual({
      success: true,
      primaryStorage: PENDING,
      searchStorage: { writeStatus: 'PENDING', writeMessage: 'Pending primary storage write.' },
    });
  });

  it('9. MAE consumer stopped -> ACTIVE_STATE / PENDING', async () => {
    expect(await trace({ traceId: B, latest: row(B, T + 1000), systemDoc: doc(A, T), mcl: queued })).toEqual({
      success: true,
      primaryStorage: ACTIVE,
      searchStorage: PENDING,
    });
  });
});

describe('primary storage: the store pass, then Kafka only where needed', () => {
  it('resolves from the stores without a look-up', async () => {
    const { result, kafka } = await traced({ traceId: A, latest: sqlRow({ createdOn: T + 5, lastObserved: T + 1, traceId: A }), systemDoc: doc(A, T) });
    expect(result.primaryStorage).toEqual(ACTIVE);
    expect(kafka.calls).toEqual([]);
  });

  it('uses the look-up when the stores cannot decide', async () => {
    const { result, kafka } = await traced({ traceId: A, mcp: found('12', '10') });
    expect(result.primaryStorage).toEqual(PENDING);
    expect(kafka.calls).toEqual(['mcp:1']);
  });

  it('is UNKNOWN rather than throwing when Kafka gives no answer for an aspect it was asked about', async () => {
    expect((await trace({ traceId: A })).primaryStorage).toEqual(NO_ANSWER);
  });

  it('a foreign trace id: the MCP record time places our write against the row (steps 3-4 after Kafka)', async () => {
    const result = await trace({
      traceId: FOREIGN_TRACE_ID,
      latest: sqlRow({ createdOn: T + 50 }),
      mcp: { kind: 'found', offset: '4', committed: '10', timestamp: T },
    });
    expect(result.primaryStorage).toEqual({ writeStatus: 'HISTORIC_STATE' });
  });
});

describe('search storage: timeseries aspects are traced (the reference says TRACE_NOT_IMPLEMENTED)', () => {
  it.each<[string, Seen, unknown]>([
    ['document with our trace id -> ACTIVE_STATE (primary is NO_OP)', { traceId: A, isTimeseries: true, timeseriesIndexed: true }, ACTIVE],
    ['not indexed, not yet consumed on the timeseries MCL topic -> PENDING', { traceId: A, isTimeseries: true, mcl: found('5', '3') }, PENDING],
    ['not indexed, consumed -> ERROR', { traceId: A, isTimeseries: true, mcl: found('2', '3') }, ERROR],
    [
      'not indexed and not on the topic (not in this write) -> NO_OP',
      { traceId: A, isTimeseries: true, mcl: { kind: 'not-found' } },
      { writeStatus: 'NO_OP', writeMessage: 'No write of this aspect under this trace id.' },
    ],
  ])('%s', async (_rule, seen, expected) => {
    const result = await trace(seen);
    expect(result.primaryStorage).toEqual({ writeStatus: 'NO_OP' });
    expect(result.searchStorage).toEqual(expected);
  });

  describe('a timeseries DELETE (its events in a time range; only its system-metadata document is left)', () => {
    const deleted = (traceId: string, at: number) => systemDoc({ aspect: 'datasetProfile', traceId, lastUpdated: at, removed: true });

    it('indexed: the document is removed with our trace id -> NO_OP / ACTIVE_STATE, success, without Kafka', async () => {
      const { result, kafka } = await traced({ traceId: A, isTimeseries: true, systemDoc: deleted(A, T + 5) });
      expect(result).toEqual({ success: true, primaryStorage: { writeStatus: 'NO_OP' }, searchStorage: ACTIVE });
      expect(kafka.calls).toEqual([]);
    });

    it('a later delete rewrote the document -> HISTORIC_STATE, for our delete and for our events alike', async () => {
      expect((await trace({ traceId: A, isTimeseries: true, systemDoc: deleted(B, T + 1000) })).searchStorage).toEqual({ writeStatus: 'HISTORIC_STATE' });
    });

    it('not indexed yet: an earlier delete in the document, ours not yet consumed -> PENDING; consumed but missing -> ERROR', async () => {
      const earlier = deleted(traceIdAt(T - 1000, '2222222222222222'), T - 1000);
      expect((await trace({ traceId: A, isTimeseries: true, systemDoc: earlier, mcl: queued })).searchStorage).toEqual(PENDING);
      expect((await trace({ traceId: A, isTimeseries: true, mcl: consumed })).searchStorage).toEqual(ERROR);
    });
  });

  it('not indexed -> Kafka decides, on the timeseries MCL topic', async () => {
    const { result, kafka } = await traced({ traceId: A, isTimeseries: true, mcl: found('5', '3') });
    expect(result.searchStorage).toEqual(PENDING);
    expect(kafka.calls).toEqual(['mcl-timeseries:1']);
  });
});

describe('search storage: the document pass, then Kafka only where needed', () => {
  it('is UNKNOWN rather than throwing when Kafka gives no answer for an aspect it was asked about', async () => {
    const result = await trace({ traceId: A, latest: row(A, T) });
    expect(result.primaryStorage).toEqual(ACTIVE);
    expect(result.searchStorage).toEqual(NO_ANSWER);
  });

  it('ignores a look-up the stores did not need', async () => {
    const { result, kafka } = await traced({ traceId: A, latest: row(A, T), systemDoc: doc(A, T), mcl: found('1', '5') });
    expect(result.searchStorage).toEqual(ACTIVE);
    expect(kafka.calls).toEqual([]);
  });
});
