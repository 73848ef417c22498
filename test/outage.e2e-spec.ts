import { AppProcess } from './support/app-process';
import { postJson } from './support/http';
import { eventually } from './support/poll';
import { stack } from './support/stack-control';
import { kafka, sqlConnection } from './support/stores';
import { stackEnv } from './support/stack-env';
import { messageCount } from './support/topics';
import { states, traceIdOf, traceWrite } from './support/trace-client';

/** Fault injection needs the stack this repository started: stopping someone else's MySQL is not ours to do. */
const managedMysql = (() => {
  try {
    return /started by this stack/.test(stack('status'));
  } catch {
    return false;
  }
})();
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const N = 50;

/**
 * Stores stopped during ingest, then started: accepted writes are not lost, traces meanwhile answer
 * PENDING or UNKNOWN with a message (never a 500), and afterwards every write is ACTIVE in both stores.
 */
describe('outages of MySQL and OpenSearch during ingest', () => {
  let gms: AppProcess;
  let mce: AppProcess;
  let mae: AppProcess;

  beforeAll(async () => {
    [gms, mce, mae] = await Promise.all([AppProcess.start('gms'), AppProcess.start('mce-consumer'), AppProcess.start('mae-consumer')]);
    await Promise.all([gms.waitHealthy(), mce.waitHealthy(), mae.waitHealthy()]);
  });

  afterAll(async () => {
    stack('up');
    await Promise.all([gms?.stop(), mce?.stop(), mae?.stop()]);
  });

  const writeBatch = async (name: string) => {
    const urns = Array.from({ length: N }, (_, i) => `urn:li:dataset:(urn:li:dataPlatform:hive,outage_${run}.${name}${i},PROD)`);
    const res = await postJson(
      `${gms.url}/openapi/v3/entity/dataset`,
      urns.map((urn) => ({ urn, status: { value: { removed: false } } })),
    );
    expect(res.status).toBe(202);
    return { urns, traceId: traceIdOf(res.headers.get('traceparent')), body: Object.fromEntries(urns.map((u) => [u, ['status']])) };
  };
  /** Messages on both failed topics: an outage is a dependency fault, so it must never add one. */
  const deadLetters = async () => {
    const env = stackEnv();
    return (await messageCount(kafka(), env.TOPIC_FAILED_MCP)) + (await messageCount(kafka(), env.TOPIC_FAILED_MCL));
  };
  const allActive = async (batch: { urns: string[]; traceId: string; body: Record<string, string[]> }) =>
    eventually(
      () => traceWrite(gms.url, batch.traceId, batch.body, { skipCache: true }),
      (r) => r.status === 200 && batch.urns.every((u) => states(r.body, u, 'status') === 'ACTIVE_STATE/ACTIVE_STATE'),
      120000,
      1000,
    );

  it('MySQL stopped and started: traces say PENDING or UNKNOWN meanwhile, then every write is ACTIVE once', async () => {
    if (!managedMysql) {
      console.warn('NOT RUN: the MySQL in use was not started by this repository (docker/local/stack.sh), so the test does not stop it');
      return;
    }
    const lettersBefore = await deadLetters();
    stack('stop', 'mysql');
    const batch = await writeBatch('m');
    const during = await traceWrite(gms.url, batch.traceId, batch.body);
    expect(during.status).toBe(200);
    for (const urn of batch.urns) {
      const r = during.body[urn].status;
      expect(['PENDING', 'UNKNOWN']).toContain(r.primaryStorage.writeStatus);
      expect(r.primaryStorage.writeMessage).toEqual(expect.any(String));
    }
    stack('up');
    await allActive(batch);
    const sql = await sqlConnection();
    try {
      const [rows] = await sql.query("SELECT COUNT(*) AS n FROM metadata_aspect_v2 WHERE urn LIKE ? AND aspect = 'status'", [
        `urn:li:dataset:(urn:li:dataPlatform:hive,outage_${run}.m%`,
      ]);
      expect(Number((rows as { n: number }[])[0].n)).toBe(N);
    } finally {
      await sql.end();
    }
    expect(await deadLetters()).toBe(lettersBefore);
  });

  it('OpenSearch stopped and started: primary ACTIVE and search UNKNOWN meanwhile, then ACTIVE in both', async () => {
    const lettersBefore = await deadLetters();
    stack('stop', 'opensearch');
    const batch = await writeBatch('o');
    const during = await eventually(
      () => traceWrite(gms.url, batch.traceId, batch.body),
      (r) => r.status === 200 && batch.urns.every((u) => r.body[u].status.primaryStorage.writeStatus === 'ACTIVE_STATE'),
      60000,
      500,
    );
    for (const urn of batch.urns) {
      expect(during.body[urn].status.searchStorage.writeStatus).toBe('UNKNOWN');
      expect(during.body[urn].status.searchStorage.writeMessage).toMatch(/^OpenSearch unavailable: /);
    }
    stack('up');
    await allActive(batch);
    expect(await deadLetters()).toBe(lettersBefore);
  });
});
