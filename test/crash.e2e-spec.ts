import { AppProcess } from './support/app-process';
import { postJson } from './support/http';
import { eventually } from './support/poll';
import { sqlConnection } from './support/stores';
import { states, traceIdOf, traceWrite } from './support/trace-client';

/**
 * Crash safety: aspects written while the MCE and MAE consumers are killed (SIGKILL) and restarted
 * several times. Afterwards every write traces ACTIVE_STATE in both stores and SQL holds exactly one
 * version per distinct value: nothing lost, nothing doubled. CRASH_TEST_ASPECTS sizes it (default 10,000, as the issue asks; about 25 s here).
 */
const ASPECTS = Number(process.env.CRASH_TEST_ASPECTS ?? 10000);
const BATCH = 100;
const KILLS = Number(process.env.CRASH_TEST_KILLS ?? 3);
const FAST_REBALANCE = { KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '6000', KAFKA_CONSUMER_REBALANCE_TIMEOUT_MS: '6000' };
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

describe(`crash safety: ${ASPECTS} async aspects while both consumers are SIGKILLed ${KILLS} times each`, () => {
  let gms: AppProcess;
  let mce: AppProcess;
  let mae: AppProcess;

  beforeAll(async () => {
    [gms, mce, mae] = await Promise.all([AppProcess.start('gms'), AppProcess.start('mce-consumer', FAST_REBALANCE), AppProcess.start('mae-consumer', FAST_REBALANCE)]);
    await Promise.all([gms.waitHealthy(), mce.waitHealthy(), mae.waitHealthy()]);
  });

  afterAll(async () => {
    await Promise.all([gms?.stop(), mce?.stop(), mae?.stop()]);
  });

  it('loses nothing and doubles nothing', async () => {
    // Half the URNs get one value, the other half a second, different value in a later batch: 1 or 2 versions each.
    const urns = Array.from({ length: ASPECTS * 0.75 }, (_, i) => `urn:li:dataset:(urn:li:dataPlatform:hive,crash_${run}.t${i},PROD)`);
    const writes = [
      ...urns.map((urn) => ({ urn, description: `first ${urn}` })),
      ...urns.slice(0, ASPECTS - urns.length).map((urn) => ({ urn, description: `second ${urn}` })),
    ];
    const traces: { traceId: string; urns: string[] }[] = [];
    let killing = true;
    const killer = (async () => {
      for (let k = 0; k < KILLS * 2 && killing; k++) {
        await new Promise((r) => setTimeout(r, 700));
        if (k % 2 === 0) {
          await mce.stop('SIGKILL');
          mce = await AppProcess.start('mce-consumer', FAST_REBALANCE);
        } else {
          await mae.stop('SIGKILL');
          mae = await AppProcess.start('mae-consumer', FAST_REBALANCE);
        }
      }
    })();
    for (let i = 0; i < writes.length; i += BATCH) {
      const batch = writes.slice(i, i + BATCH);
      const res = await postJson(
        `${gms.url}/openapi/v3/entity/dataset`,
        batch.map((w) => ({ urn: w.urn, datasetProperties: { value: { description: w.description, customProperties: {} } } })),
      );
      expect(res.status).toBe(202);
      traces.push({ traceId: traceIdOf(res.headers.get('traceparent')), urns: batch.map((w) => w.urn) });
      if (i === writes.length / 2) await new Promise((r) => setTimeout(r, 1500)); // spread writes over the kills
    }
    await killer;
    killing = false;
    await Promise.all([mce.waitHealthy(), mae.waitHealthy()]);

    // The latest write of every URN traces ACTIVE/ACTIVE; a first value overwritten by a second traces HISTORIC.
    const latestTrace = new Map<string, string>();
    for (const t of traces) for (const urn of t.urns) latestTrace.set(urn, t.traceId);
    for (const t of traces) {
      const body = Object.fromEntries(t.urns.map((u) => [u, ['datasetProperties']]));
      const expected = (u: string) => (latestTrace.get(u) === t.traceId ? 'ACTIVE_STATE/ACTIVE_STATE' : 'HISTORIC_STATE/HISTORIC_STATE');
      await eventually(
        () => traceWrite(gms.url, t.traceId, body, { skipCache: true }),
        (r) => r.status === 200 && t.urns.every((u) => states(r.body, u, 'datasetProperties') === expected(u)),
        120000,
        1000,
      );
    }

    // Exactly one version per distinct value written.
    const sql = await sqlConnection();
    try {
      const [rows] = await sql.query(
        "SELECT urn, COUNT(*) AS versions, COUNT(DISTINCT metadata) AS distinct_values FROM metadata_aspect_v2 WHERE urn LIKE ? AND aspect = 'datasetProperties' GROUP BY urn",
        [`urn:li:dataset:(urn:li:dataPlatform:hive,crash_${run}.%`],
      );
      const byUrn = new Map((rows as { urn: string; versions: number; distinct_values: number }[]).map((r) => [r.urn, r]));
      expect(byUrn.size).toBe(urns.length);
      const writesPerUrn = new Map<string, number>();
      for (const w of writes) writesPerUrn.set(w.urn, (writesPerUrn.get(w.urn) ?? 0) + 1);
      for (const [urn, n] of writesPerUrn) {
        // n distinct values: the latest (version 0) plus n-1 history rows.
        expect({ urn, versions: Number(byUrn.get(urn)?.versions) }).toEqual({ urn, versions: n });
        expect(Number(byUrn.get(urn)?.distinct_values)).toBe(n);
      }
    } finally {
      await sql.end();
    }
  }, 120000 + ASPECTS * 60);
});
