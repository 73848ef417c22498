import { AppProcess } from './support/app-process';
import { postJson, request } from './support/http';
import { eventually } from './support/poll';
import { stackEnv } from './support/stack-env';
import { kafka, search } from './support/stores';
import { messagesWithKey } from './support/topics';
import { states, traceIdOf, traceWrite } from './support/trace-client';
import { systemMetadataDocId } from '@lib/search';

const env = stackEnv();
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const urnOf = (name: string) => `urn:li:dataset:(urn:li:dataPlatform:hive,trace_${run}.${name},PROD)`;

/**
 * The acceptance scenarios of the trace contract (trace-semantics.md section 7), on the real stack,
 * with the HTTP service and both consumers as separate processes so each consumer can be stopped.
 */
describe('trace endpoint: acceptance scenarios', () => {
  let gms: AppProcess;
  let mce: AppProcess;
  let mae: AppProcess;
  let base: string;

  const write = async (urn: string, aspects: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await request('POST', `${base}/openapi/v3/entity/dataset`, [{ urn, ...aspects }], headers);
    expect(res.status).toBe(202);
    return { traceparent: res.headers.get('traceparent')!, traceId: traceIdOf(res.headers.get('traceparent')) };
  };
  /** Polls the trace until `urn/aspect` reads `expected` (PRIMARY/SEARCH); returns the last response body. */
  const settle = async (traceId: string, urn: string, aspects: string[], aspect: string, expected: string, query: Record<string, boolean> = {}) =>
    (
      await eventually(
        () => traceWrite(base, traceId, { [urn]: aspects }, query),
        (r) => r.status === 200 && states(r.body, urn, aspect) === expected,
        40000,
        300,
      )
    ).body;

  beforeAll(async () => {
    [gms, mce, mae] = await Promise.all([AppProcess.start('gms'), AppProcess.start('mce-consumer'), AppProcess.start('mae-consumer')]);
    await Promise.all([gms.waitHealthy(), mce.waitHealthy(), mae.waitHealthy()]);
    base = gms.url;
  });

  afterAll(async () => {
    await Promise.all([gms?.stop(), mce?.stop(), mae?.stop()]);
  });

  it('1. an async write traces ACTIVE_STATE in both stores, by trace id and by whole traceparent', async () => {
    const urn = urnOf('s1');
    const { traceId, traceparent } = await write(urn, { status: { value: { removed: false } } });
    const body = await settle(traceId, urn, ['status'], 'status', 'ACTIVE_STATE/ACTIVE_STATE');
    expect(body[urn].status.success).toBe(true);
    const byTraceparent = await traceWrite(base, traceparent, { [urn]: ['status'] });
    expect(byTraceparent.status).toBe(200);
    expect(byTraceparent.body).toEqual(body);
    // A clean trace with the default onlyIncludeErrors=true is empty.
    expect((await traceWrite(base, traceId, { [urn]: ['status'] }, { onlyIncludeErrors: true })).body).toEqual({});
  });

  it('2. a failing If-Version-Match traces ERROR with the exception (detailed), and only errors by default', async () => {
    const urn = urnOf('s2');
    const glossaryTerms = {
      value: { terms: [{ urn: 'urn:li:glossaryTerm:Sensitive' }], auditStamp: { time: 1, actor: 'urn:li:corpuser:e2e' } },
      headers: { 'If-Version-Match': '-10000' },
    };
    const { traceId } = await write(urn, { status: { value: { removed: false } }, glossaryTerms });
    const body = await settle(traceId, urn, ['status', 'glossaryTerms'], 'glossaryTerms', 'ERROR/ERROR', { detailed: true });
    const result = body[urn].glossaryTerms;
    expect(result.success).toBe(false);
    expect(result.primaryStorage.writeExceptions[0].message).toBe('Expected version -10000, actual version -1');
    // TRACE_STACK_TRACES is not set for this service: the production default, message and class only.
    expect(result.primaryStorage.writeExceptions[0]).toMatchObject({ exceptionClass: expect.stringMatching(/\S/), stackTrace: [] });
    // The consumer records the frames relative to the project: no server path on the failed topic either.
    const [failed] = await messagesWithKey(kafka(), stackEnv().TOPIC_FAILED_MCP, urn);
    const frames = (JSON.parse(JSON.parse(failed.value).error) as { stackTrace: string[] }[])[0].stackTrace;
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.filter((f) => /[( ](file:\/\/)?\//.test(f))).toEqual([]);
    expect(result.searchStorage).toEqual({ writeStatus: 'ERROR', writeMessage: 'Primary storage write failed.' });
    await settle(traceId, urn, ['status', 'glossaryTerms'], 'status', 'ACTIVE_STATE/ACTIVE_STATE');
    const onlyErrors = await traceWrite(base, traceId, { [urn]: ['status', 'glossaryTerms'] }, { onlyIncludeErrors: true, detailed: true });
    expect(Object.keys(onlyErrors.body[urn])).toEqual(['glossaryTerms']);
  });

  it('3. write A then B: B is ACTIVE_STATE, A is HISTORIC_STATE in both stores', async () => {
    const urn = urnOf('s3');
    const a = await write(urn, { datasetProperties: { value: { description: 'A', customProperties: {} } } });
    await settle(a.traceId, urn, ['datasetProperties'], 'datasetProperties', 'ACTIVE_STATE/ACTIVE_STATE');
    const b = await write(urn, { datasetProperties: { value: { description: 'B', customProperties: {} } } });
    await settle(b.traceId, urn, ['datasetProperties'], 'datasetProperties', 'ACTIVE_STATE/ACTIVE_STATE');
    await settle(a.traceId, urn, ['datasetProperties'], 'datasetProperties', 'HISTORIC_STATE/HISTORIC_STATE');
  });

  it('4. without the trace id in the system-metadata doc search is HISTORIC_STATE; without the doc it is ERROR', async () => {
    const urn = urnOf('s4');
    const { traceId } = await write(urn, { status: { value: { removed: false } } });
    await settle(traceId, urn, ['status'], 'status', 'ACTIVE_STATE/ACTIVE_STATE');
    const client = search();
    const index = `${env.OPENSEARCH_INDEX_PREFIX}system_metadata_service_v1`;
    const id = systemMetadataDocId(urn, 'status');
    await client.update({ index, id, body: { script: { source: "ctx._source.remove('telemetryTraceId')" } }, refresh: true });
    await settle(traceId, urn, ['status'], 'status', 'ACTIVE_STATE/HISTORIC_STATE');
    await client.delete({ index, id, refresh: true });
    const body = await settle(traceId, urn, ['status'], 'status', 'ACTIVE_STATE/ERROR', { skipCache: true });
    expect(body[urn].status.searchStorage.writeMessage).toBe('Consumer has processed past the offset.');
    await client.close();
  });

  it('5. a timeseries aspect is NO_OP in primary storage and ACTIVE_STATE in search once indexed', async () => {
    const urn = urnOf('s5');
    const { traceId } = await write(urn, { datasetProfile: { value: { timestampMillis: Date.now(), rowCount: 10 } } });
    await settle(traceId, urn, ['datasetProfile'], 'datasetProfile', 'NO_OP/ACTIVE_STATE');
  });

  it('6-7. the same value twice is NO_OP; again with a failing If-Version-Match it is ERROR "actual version 1"', async () => {
    const urn = urnOf('s6');
    const first = await write(urn, { status: { value: { removed: true } } });
    await settle(first.traceId, urn, ['status'], 'status', 'ACTIVE_STATE/ACTIVE_STATE');
    const second = await write(urn, { status: { value: { removed: true } } });
    await settle(second.traceId, urn, ['status'], 'status', 'NO_OP/NO_OP');
    const third = await write(urn, { status: { value: { removed: true }, headers: { 'If-Version-Match': '-10000' } } });
    const body = await settle(third.traceId, urn, ['status'], 'status', 'ERROR/ERROR', { detailed: true });
    expect(body[urn].status.primaryStorage.writeExceptions[0].message).toBe('Expected version -10000, actual version 1');
  });

  it('8. with the MCE consumer stopped a write is PENDING/PENDING, and ACTIVE after restart with nothing lost', async () => {
    expect(await mce.stop()).toBe(0);
    const urns = [urnOf('s8a'), urnOf('s8b'), urnOf('s8c')];
    const res = await postJson(
      `${base}/openapi/v3/entity/dataset`,
      urns.map((urn) => ({ urn, status: { value: { removed: false } } })),
    );
    expect(res.status).toBe(202);
    const traceId = traceIdOf(res.headers.get('traceparent'));
    const body = Object.fromEntries(urns.map((u) => [u, ['status']]));
    const pending = await traceWrite(base, traceId, body, { skipCache: true });
    for (const urn of urns) {
      expect(states(pending.body, urn, 'status')).toBe('PENDING/PENDING');
      // The reference message first; once the consumer-group monitor has seen the group empty, why (contract 5.5).
      expect(pending.body[urn].status.primaryStorage.writeMessage).toMatch(
        /^Consumer has not processed offset\.( Consumer group \S+ has no member \(STOPPED\).*)?$/,
      );
    }
    mce = await AppProcess.start('mce-consumer');
    await mce.waitHealthy();
    for (const urn of urns) await settle(traceId, urn, ['status'], 'status', 'ACTIVE_STATE/ACTIVE_STATE', { skipCache: true });
  });

  it('9. with the MAE consumer stopped primary is ACTIVE_STATE and search PENDING, then ACTIVE after restart', async () => {
    expect(await mae.stop()).toBe(0);
    const urn = urnOf('s9');
    const { traceId } = await write(urn, { status: { value: { removed: false } } });
    const body = await settle(traceId, urn, ['status'], 'status', 'ACTIVE_STATE/PENDING', { skipCache: true });
    expect(body[urn].status.searchStorage.writeMessage).toMatch(/^Consumer has not processed offset\.( Consumer group \S+ has no member \(STOPPED\).*)?$/);
    mae = await AppProcess.start('mae-consumer');
    await mae.waitHealthy();
    await settle(traceId, urn, ['status'], 'status', 'ACTIVE_STATE/ACTIVE_STATE', { skipCache: true });
  });

  it.each([
    ['a malformed trace id', 'not-a-trace-id', { [urnOf('x')]: ['status'] }, /Invalid trace id/],
    ['an all-zero trace id', '00000000000000000000000000000000', { [urnOf('x')]: ['status'] }, /trace id/i],
    ['a body that is not an object', '00062c53a468cbd8077e7dd079846870', ['status'], /JSON object/],
    ['a body of non-string arrays', '00062c53a468cbd8077e7dd079846870', { [urnOf('x')]: [1, 2] }, /array of aspect names/],
    ['a malformed URN', '00062c53a468cbd8077e7dd079846870', { 'urn:li:dataset:(oops': ['status'] }, /URN/],
    ['an unknown entity type', '00062c53a468cbd8077e7dd079846870', { 'urn:li:spaceship:x': ['status'] }, /unknown entity type spaceship/],
  ])('10. %s is a 400 with a message', async (_name, traceId, body, message) => {
    const res = await postJson(`${base}/openapi/v1/trace/write/${traceId}`, body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
  });

  it('10. a bad flag is a 400', async () => {
    const res = await postJson(`${base}/openapi/v1/trace/write/00062c53a468cbd8077e7dd079846870?detailed=perhaps`, { [urnOf('x')]: ['status'] });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('query parameter detailed must be true or false');
  });
});

describe('trace endpoint with a dependency unreachable', () => {
  let healthy: AppProcess;
  const urn = urnOf('outage');
  let traceId: string;

  beforeAll(async () => {
    healthy = await AppProcess.start('gms', { RUN_CONSUMERS: 'mce,mae' });
    await healthy.waitHealthy();
    const res = await postJson(`${healthy.url}/openapi/v3/entity/dataset`, [{ urn, status: { value: { removed: false } } }]);
    traceId = traceIdOf(res.headers.get('traceparent'));
    await eventually(
      () => traceWrite(healthy.url, traceId, { [urn]: ['status'] }),
      (r) => states(r.body, urn, 'status') === 'ACTIVE_STATE/ACTIVE_STATE',
      30000,
    );
  });

  afterAll(async () => {
    await healthy?.stop();
  });

  const withBroken = async (env: Record<string, string>, check: (body: Record<string, never>, ms: number) => void) => {
    const broken = await AppProcess.start('gms', { SETUP_ON_START: 'false', TRACE_DEADLINE_MS: '3000', ...env });
    try {
      await eventually(
        () => fetch(`${broken.url}/health`).then((r) => r.status),
        (s) => s === 503,
        30000,
      );
      const started = Date.now();
      const res = await traceWrite(broken.url, traceId, { [urn]: ['status', 'datasetProperties'] });
      expect(res.status).toBe(200);
      check(res.body, Date.now() - started);
    } finally {
      await broken.stop();
    }
  };

  it('MySQL down: primary UNKNOWN naming MySQL, within the deadline', async () => {
    await withBroken({ MYSQL_PORT: '1' }, (body, ms) => {
      expect(ms).toBeLessThan(8000);
      expect(body[urn]['status']).toMatchObject({ primaryStorage: { writeStatus: 'UNKNOWN', writeMessage: expect.stringMatching(/^MySQL unavailable: /) } });
    });
  });

  it('OpenSearch down: primary still ACTIVE_STATE from SQL, search UNKNOWN naming OpenSearch', async () => {
    await withBroken({ OPENSEARCH_URL: 'http://127.0.0.1:1' }, (body, ms) => {
      expect(ms).toBeLessThan(8000);
      expect(states(body, urn, 'status')).toBe('ACTIVE_STATE/UNKNOWN');
      expect(body[urn]['status']).toMatchObject({ searchStorage: { writeMessage: expect.stringMatching(/^OpenSearch unavailable: /) } });
    });
  });

  it('Kafka down: what the stores settle is answered, the rest is UNKNOWN naming Kafka, within the deadline', async () => {
    await withBroken({ KAFKA_BROKERS: '127.0.0.1:1' }, (body, ms) => {
      expect(ms).toBeLessThan(8000);
      expect(states(body, urn, 'status')).toBe('ACTIVE_STATE/ACTIVE_STATE');
      expect(body[urn]['datasetProperties']).toMatchObject({ primaryStorage: { writeStatus: 'UNKNOWN', writeMessage: expect.stringMatching(/Kafka/) } });
    });
  });
});
