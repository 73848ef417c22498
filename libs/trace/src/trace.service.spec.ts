import { TraceRef } from './decisions/inputs';
import { FakeKafka, FakeSearch, FakeSql } from './testing/fake-stores';
import { sqlRow, traceIdAt, traceItem as item } from './testing/fixtures';
import { itemKey, TraceItem } from './trace-item';
import { TraceService } from './trace.service';
import { TraceKafkaGate, TraceSaturated } from './kafka-gate';

const NOW = Date.UTC(2026, 0, 1);
const TRACE: TraceRef = { traceId: traceIdAt(NOW), timestamp: NOW };
const OTHER = traceIdAt(NOW + 5000, 'fedcba9876543210');

const ours = (it: TraceItem, properties: Record<string, string> = {}) =>
  sqlRow({ urn: it.urn, aspect: it.aspect, createdOn: NOW + 10, lastObserved: NOW + 10, traceId: TRACE.traceId, properties });
const opts = { onlyIncludeErrors: false, detailed: false, skipCache: false };
const states = (res: Awaited<ReturnType<TraceService['trace']>>, it: TraceItem) =>
  `${res[it.urn][it.aspect].primaryStorage.writeStatus}/${res[it.urn][it.aspect].searchStorage.writeStatus}`;

function setup() {
  const sql = new FakeSql();
  const search = new FakeSearch();
  const kafka = new FakeKafka();
  return { sql, search, kafka, service: new TraceService(sql, search, kafka, 1000) };
}

describe('TraceService', () => {
  it('resolves 100 URNs x 3 aspects from the stores with one SQL read, one OpenSearch read and no Kafka call', async () => {
    const { sql, search, kafka, service } = setup();
    const items = Array.from({ length: 100 }, (_, u) =>
      ['status', 'datasetProperties', 'ownership'].map((a) => item(`urn:li:dataset:(urn:li:dataPlatform:hive,t${u},PROD)`, a)),
    ).flat();
    for (const it of items) {
      sql.rows.set(itemKey(it), ours(it));
      search.docs.set(itemKey(it), { urn: it.urn, aspect: it.aspect, telemetryTraceId: TRACE.traceId, lastUpdated: NOW + 10 });
    }
    const res = await service.trace(TRACE, items, opts);
    expect(sql.calls).toBe(1);
    expect(search.docCalls + search.tsCalls).toBe(1);
    expect(kafka.calls).toEqual([]);
    expect(Object.keys(res)).toHaveLength(100);
    expect(Object.values(res).every((aspects) => Object.values(aspects).every((r) => r.success && r.searchStorage.writeStatus === 'ACTIVE_STATE'))).toBe(true);
  });

  it('asks Kafka only about the aspects the stores could not settle: PENDING / PENDING', async () => {
    const { sql, kafka, service } = setup();
    const done = item('urn:li:dataset:(urn:li:dataPlatform:hive,a,PROD)');
    const queued = item('urn:li:dataset:(urn:li:dataPlatform:hive,b,PROD)');
    sql.rows.set(itemKey(done), { ...ours(done), systemMetadata: { properties: { telemetryTraceId: OTHER } }, createdOn: NOW + 5000 });
    kafka.mcp.set(itemKey(queued), { kind: 'found', offset: '7', committed: '7' });
    const res = await service.trace(TRACE, [done, queued], opts);
    expect(kafka.calls).toEqual(['mcp:1']);
    expect(res[done.urn].status.primaryStorage.writeStatus).toBe('HISTORIC_STATE');
    expect(res[queued.urn].status).toEqual({
      success: true,
      primaryStorage: { writeStatus: 'PENDING', writeMessage: 'Consumer has not processed offset.' },
      searchStorage: { writeStatus: 'PENDING', writeMessage: 'Pending primary storage write.' },
    });
  });

  it('names what a waiting trace waits on: the MCP message of a primary PENDING, the change log of a search PENDING', async () => {
    const { sql, kafka, service } = setup();
    const queued = item('urn:li:dataset:(urn:li:dataPlatform:hive,w1,PROD)');
    const indexing = item('urn:li:dataset:(urn:li:dataPlatform:hive,w2,PROD)');
    const done = item('urn:li:dataset:(urn:li:dataPlatform:hive,w3,PROD)');
    kafka.mcp.set(itemKey(queued), { kind: 'found', offset: '7', committed: '7', at: { groupId: 'mce', topic: 'mcp', partition: 2 } });
    sql.rows.set(itemKey(indexing), ours(indexing));
    kafka.mcl.set(itemKey(indexing), { kind: 'found', offset: '4', committed: null, at: { groupId: 'mae', topic: 'mcl', partition: 0 } });
    sql.rows.set(itemKey(done), ours(done));
    kafka.mcl.set(itemKey(done), { kind: 'found', offset: '3', committed: '9', at: { groupId: 'mae', topic: 'mcl', partition: 1 } });
    const outcome = await service.traceOutcome(TRACE, [queued, indexing, done], { ...opts, onlyIncludeErrors: true });
    expect(outcome.pending).toBe(true);
    expect(outcome.waits).toEqual([
      { groupId: 'mce', topic: 'mcp', partition: 2, offset: '7' },
      { groupId: 'mae', topic: 'mcl', partition: 0, offset: '4' },
    ]);
    expect(Object.keys(outcome.response)).toEqual([done.urn]); // only errors in the response; the wait sees everything
    const settled = await service.traceOutcome(TRACE, [done], opts);
    expect(settled).toMatchObject({ pending: false, waits: [] });
  });

  it('reads the MCL topic against the MAE group when SQL has the write but search does not', async () => {
    const { sql, kafka, service } = setup();
    const it1 = item('urn:li:dataset:(urn:li:dataPlatform:hive,c,PROD)');
    sql.rows.set(itemKey(it1), ours(it1));
    kafka.mcl.set(itemKey(it1), { kind: 'found', offset: '3', committed: '9' });
    const res = await service.trace(TRACE, [it1], opts);
    expect(kafka.calls).toEqual(['mcl:1', 'deadLetters:1']);
    expect(res[it1.urn].status.primaryStorage.writeStatus).toBe('ACTIVE_STATE');
    expect(res[it1.urn].status.searchStorage).toEqual({ writeStatus: 'ERROR', writeMessage: 'Consumer has processed past the offset.' });
    expect(res[it1.urn].status.success).toBe(false);
  });

  describe('dead letters (contract 5.2): a write that can never reach the index says why', () => {
    const reason = { message: 'entity "dataset" has no aspect "status"', exceptionClass: 'UnprocessableChangeLog', stackTrace: [] };

    it('a change log the MAE consumer dead-lettered: search ERROR with its exception, even without detailed', async () => {
      const { sql, kafka, service } = setup();
      const it1 = item('urn:li:dataset:(urn:li:dataPlatform:hive,dl1,PROD)');
      sql.rows.set(itemKey(it1), ours(it1));
      kafka.mcl.set(itemKey(it1), { kind: 'found', offset: '3', committed: '9' });
      kafka.deadLetters.set(itemKey(it1), { exceptions: [reason] });
      const res = await service.trace(TRACE, [it1], opts);
      expect(res[it1.urn].status).toEqual({
        success: false,
        primaryStorage: { writeStatus: 'ACTIVE_STATE' },
        searchStorage: { writeStatus: 'ERROR', writeExceptions: [reason] },
      });
    });

    it('SQL has the write but its change log never reached the topic and the MCE consumer dead-lettered it: search ERROR, not PENDING for ever', async () => {
      const { sql, kafka, service } = setup();
      const it1 = item('urn:li:dataset:(urn:li:dataPlatform:hive,dl2,PROD)');
      sql.rows.set(itemKey(it1), ours(it1));
      kafka.mcl.set(itemKey(it1), { kind: 'not-found' });
      const tooLarge = { message: 'Kafka did not accept the write: message too large', exceptionClass: 'PublishError', stackTrace: [] };
      kafka.deadLetters.set(itemKey(it1), { exceptions: [tooLarge] });
      expect((await service.trace(TRACE, [it1], opts))[it1.urn].status.searchStorage).toEqual({ writeStatus: 'ERROR', writeExceptions: [tooLarge] });
    });

    it('with no dead letter the state stands (the change log is on its way), and settled or queued writes never look', async () => {
      const { sql, kafka, service } = setup();
      const onItsWay = item('urn:li:dataset:(urn:li:dataPlatform:hive,dl3,PROD)');
      const queued = item('urn:li:dataset:(urn:li:dataPlatform:hive,dl4,PROD)');
      sql.rows.set(itemKey(onItsWay), ours(onItsWay));
      kafka.mcl.set(itemKey(onItsWay), { kind: 'not-found' });
      kafka.mcp.set(itemKey(queued), { kind: 'found', offset: '7', committed: '7' });
      const res = await service.trace(TRACE, [onItsWay, queued], opts);
      expect(states(res, onItsWay)).toBe('ACTIVE_STATE/PENDING');
      expect(states(res, queued)).toBe('PENDING/PENDING');
      expect(kafka.calls).toEqual(['mcp:1', 'mcl:1', 'deadLetters:1']);
    });
  });

  it('with detailed=true turns a recorded failure into ERROR with its exceptions, and keeps only errors by default', async () => {
    const { kafka, service } = setup();
    const it1 = item('urn:li:dataset:(urn:li:dataPlatform:hive,d,PROD)', 'glossaryTerms');
    const ok = item('urn:li:dataset:(urn:li:dataPlatform:hive,e,PROD)', 'datasetProfile', true);
    kafka.mcp.set(itemKey(it1), { kind: 'found', offset: '1', committed: '5' });
    kafka.failed.set(itemKey(it1), {
      exceptions: [{ message: 'Expected version -10000, actual version -1', exceptionClass: 'AspectVersionMismatch', stackTrace: [] }],
    });
    const res = await service.trace(TRACE, [it1, ok], { ...opts, detailed: true, onlyIncludeErrors: true });
    expect(Object.keys(res)).toEqual([it1.urn]);
    expect(res[it1.urn].glossaryTerms.primaryStorage.writeExceptions?.[0].message).toBe('Expected version -10000, actual version -1');
    expect(res[it1.urn].glossaryTerms.searchStorage).toEqual({ writeStatus: 'ERROR', writeMessage: 'Primary storage write failed.' });
  });

  it('answers UNKNOWN naming the store when SQL is down, never throwing', async () => {
    const { sql, service } = setup();
    sql.fail = new Error('connect ECONNREFUSED 127.0.0.1:3306');
    const it1 = item('urn:li:dataset:(urn:li:dataPlatform:hive,f,PROD)');
    const res = await service.trace(TRACE, [it1], opts);
    expect(res[it1.urn].status.primaryStorage).toEqual({ writeStatus: 'UNKNOWN', writeMessage: 'MySQL unavailable: connect ECONNREFUSED <address>' });
    expect(res[it1.urn].status.searchStorage).toEqual({ writeStatus: 'UNKNOWN', writeMessage: 'Primary storage write indeterminate.' });
  });

  it('answers UNKNOWN naming the store when OpenSearch does not answer in time', async () => {
    const sql = new FakeSql();
    const search = new FakeSearch();
    search.systemDocs = () => new Promise(() => undefined);
    const service = new TraceService(sql, search, new FakeKafka(), 50);
    const it1 = item('urn:li:dataset:(urn:li:dataPlatform:hive,h,PROD)');
    sql.rows.set(itemKey(it1), ours(it1));
    const started = Date.now();
    const res = await service.trace(TRACE, [it1], opts);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res[it1.urn].status.primaryStorage.writeStatus).toBe('ACTIVE_STATE');
    expect(res[it1.urn].status.searchStorage).toEqual({
      writeStatus: 'UNKNOWN',
      writeMessage: 'OpenSearch unavailable: OpenSearch did not answer within 50 ms',
    });
  });

  it("answers UNKNOWN with Kafka's reason when a Kafka look-up failed", async () => {
    const { kafka, service } = setup();
    const it1 = item('urn:li:dataset:(urn:li:dataPlatform:hive,i,PROD)');
    kafka.mcp.set(itemKey(it1), { kind: 'failed', reason: 'Kafka lookup timed out after 10000 ms' });
    const res = await service.trace(TRACE, [it1], opts);
    expect(res[it1.urn].status.primaryStorage.writeStatus).toBe('UNKNOWN');
    expect(res[it1.urn].status.primaryStorage.writeMessage).toContain('timed out');
  });

  it('reads SQL again before calling a write consumed-but-missing: it may have landed after the first read', async () => {
    const { sql, search, kafka, service } = setup();
    const it1 = item('urn:li:dataset:(urn:li:dataPlatform:hive,j,PROD)');
    kafka.mcp.set(itemKey(it1), { kind: 'found', offset: '4', committed: '5' });
    const latest = sql.latest.bind(sql);
    sql.latest = async (items) => {
      const rows = await latest(items);
      sql.rows.set(itemKey(it1), ours(it1)); // the consumer writes right after our first read
      return rows;
    };
    search.docs.set(itemKey(it1), { urn: it1.urn, aspect: 'status', telemetryTraceId: TRACE.traceId });
    const res = await service.trace(TRACE, [it1], opts);
    expect(sql.calls).toBe(2);
    expect(states(res, it1)).toBe('ACTIVE_STATE/ACTIVE_STATE');
  });

  it('reads the system-metadata document again before calling indexing consumed-but-missing', async () => {
    const { sql, search, kafka, service } = setup();
    const it1 = item('urn:li:dataset:(urn:li:dataPlatform:hive,k,PROD)');
    sql.rows.set(itemKey(it1), ours(it1));
    kafka.mcl.set(itemKey(it1), { kind: 'found', offset: '4', committed: '5' });
    const docs = search.systemDocs.bind(search);
    search.systemDocs = async (items) => {
      const found = await docs(items);
      search.docs.set(itemKey(it1), { urn: it1.urn, aspect: 'status', telemetryTraceId: TRACE.traceId });
      return found;
    };
    const res = await service.trace(TRACE, [it1], opts);
    expect(states(res, it1)).toBe('ACTIVE_STATE/ACTIVE_STATE');
  });

  it('calls search PENDING while SQL has the write but its change log is not on the topic yet', async () => {
    const { sql, kafka, service } = setup();
    const it1 = item('urn:li:dataset:(urn:li:dataPlatform:hive,l,PROD)');
    sql.rows.set(itemKey(it1), ours(it1));
    kafka.mcl.set(itemKey(it1), { kind: 'not-found' });
    const res = await service.trace(TRACE, [it1], opts);
    expect(res[it1.urn].status.searchStorage).toEqual({ writeStatus: 'PENDING', writeMessage: 'Consumer has not processed offset.' });
  });

  it('traces a timeseries aspect: NO_OP in primary, ACTIVE_STATE once its document carries the trace id', async () => {
    const { search, kafka, service } = setup();
    const ts = item('urn:li:dataset:(urn:li:dataPlatform:hive,g,PROD)', 'datasetProfile', true);
    search.written.add(itemKey(ts));
    const res = await service.trace(TRACE, [ts], opts);
    expect(res[ts.urn].datasetProfile.primaryStorage.writeStatus).toBe('NO_OP');
    expect(res[ts.urn].datasetProfile.searchStorage.writeStatus).toBe('ACTIVE_STATE');
    expect(kafka.calls).toEqual([]);
    // An event carries the trace id: no system-metadata read for it.
    expect([search.tsCalls, search.docCalls]).toEqual([1, 0]);
  });

  it("traces a timeseries DELETE by its system-metadata document, read in the versioned aspects' one mget", async () => {
    const { sql, search, kafka, service } = setup();
    const urn = 'urn:li:dataset:(urn:li:dataPlatform:hive,d,PROD)';
    const [profile, operation, status] = [item(urn, 'datasetProfile', true), item(urn, 'operation', true), item(urn, 'status')];
    search.written.add(itemKey(operation));
    search.docs.set(itemKey(profile), { urn, aspect: 'datasetProfile', telemetryTraceId: TRACE.traceId, lastUpdated: NOW + 10, removed: true });
    sql.rows.set(itemKey(status), ours(status));
    search.docs.set(itemKey(status), { urn, aspect: 'status', telemetryTraceId: TRACE.traceId, lastUpdated: NOW + 10 });
    const systemDocs = jest.spyOn(search, 'systemDocs');
    const res = await service.trace(TRACE, [profile, operation, status], opts);
    expect([states(res, profile), states(res, operation), states(res, status)]).toEqual([
      'NO_OP/ACTIVE_STATE',
      'NO_OP/ACTIVE_STATE',
      'ACTIVE_STATE/ACTIVE_STATE',
    ]);
    expect(kafka.calls).toEqual([]);
    expect([search.tsCalls, search.docCalls]).toEqual([1, 1]);
    // The mget asks for the versioned aspect SQL has and the timeseries aspect no event settled.
    expect(systemDocs.mock.calls[0][0].map((i) => i.aspect).sort()).toEqual(['datasetProfile', 'status']);
  });

  it('answers UNKNOWN for a timeseries aspect whose system-metadata document could not be read, not a false ERROR', async () => {
    const { search, kafka, service } = setup();
    const ts = item('urn:li:dataset:(urn:li:dataPlatform:hive,u,PROD)', 'datasetProfile', true);
    jest.spyOn(search, 'systemDocs').mockRejectedValue(new Error('connect ECONNREFUSED'));
    kafka.mcl.set(itemKey(ts), { kind: 'found', offset: '1', committed: '5' });
    const res = await service.trace(TRACE, [ts], opts);
    expect(res[ts.urn].datasetProfile.searchStorage).toEqual({ writeStatus: 'UNKNOWN', writeMessage: 'OpenSearch unavailable: connect ECONNREFUSED' });
    expect(kafka.calls).toEqual([]);
  });
});

describe('TraceService with the Kafka gate (TRACE_KAFKA_MAX_INFLIGHT)', () => {
  const settled = item('urn:li:dataset:(urn:li:dataPlatform:hive,g1,PROD)');
  const queued = item('urn:li:dataset:(urn:li:dataPlatform:hive,g2,PROD)');

  function gated() {
    const { sql, search, kafka } = setup();
    sql.rows.set(itemKey(settled), ours(settled));
    search.docs.set(itemKey(settled), { urn: settled.urn, aspect: settled.aspect, telemetryTraceId: TRACE.traceId, lastUpdated: NOW + 10 });
    kafka.mcp.set(itemKey(queued), { kind: 'found', offset: '7', committed: '7' });
    const gate = new TraceKafkaGate({ maxInFlight: 1, queueMs: 20 });
    return { kafka, gate, service: new TraceService(sql, search, kafka, 1000, undefined, undefined, gate) };
  }

  it('with every slot taken, a trace the stores settle still answers; one that needs Kafka is refused without reading it', async () => {
    const { kafka, gate, service } = gated();
    const holder = gate.slot();
    await holder.enter();
    expect(states(await service.trace(TRACE, [settled], opts), settled)).toBe('ACTIVE_STATE/ACTIVE_STATE');
    await expect(service.trace(TRACE, [queued], opts)).rejects.toBeInstanceOf(TraceSaturated);
    expect(kafka.calls).toEqual([]);
    holder.release();
    expect(states(await service.trace(TRACE, [queued], opts), queued)).toBe('PENDING/PENDING');
    expect(gate.busy).toBe(0);
  });

  it('a trace holds one slot across its passes and gives it back even when a read throws', async () => {
    const { kafka, gate, service } = gated();
    kafka.mcpLookups = () => Promise.reject(new Error('boom'));
    await expect(service.trace(TRACE, [queued], opts)).rejects.toThrow('boom');
    expect(gate.busy).toBe(0);
  });
});
