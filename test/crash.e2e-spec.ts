import { AppProcess } from './support/app-process';
import { postJson, request } from './support/http';
import { AcceptedBatch, AspectWrite, batchBody, expectEveryWriteTraced, expectOneVersionPerValue, twoValueWrites } from './support/ingest-check';
import { eventually } from './support/poll';
import { stackAsync } from './support/stack-control';
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
    [gms, mce, mae] = await Promise.all([
      AppProcess.start('gms'),
      AppProcess.start('mce-consumer', FAST_REBALANCE),
      AppProcess.start('mae-consumer', FAST_REBALANCE),
    ]);
    await Promise.all([gms.waitHealthy(), mce.waitHealthy(), mae.waitHealthy()]);
  });

  afterAll(async () => {
    await Promise.all([gms?.stop(), mce?.stop(), mae?.stop()]);
  });

  /** SIGKILLs the MCE (and, every other time, the MAE) consumer every 700 ms until `done()`, restarting each. */
  function killWhile(done: () => boolean): Promise<void> {
    return (async () => {
      for (let k = 0; k < KILLS * 2 && !done(); k++) {
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
  }

  it(
    'loses nothing and doubles nothing',
    async () => {
      // Half the URNs get one value, the other half a second, different value in a later batch: 1 or 2 versions each.
      const { first, second } = twoValueWrites(`crash_${run}`, ASPECTS);
      const writes = [...first, ...second];
      const traces: AcceptedBatch[] = [];
      let killing = true;
      const killer = killWhile(() => !killing);
      for (let i = 0; i < writes.length; i += BATCH) {
        const batch = writes.slice(i, i + BATCH);
        const res = await postJson(`${gms.url}/openapi/v3/entity/dataset`, batchBody(batch));
        expect(res.status).toBe(202);
        traces.push({ traceId: traceIdOf(res.headers.get('traceparent')), urns: batch.map((w) => w.urn) });
        if (i === writes.length / 2) await new Promise((r) => setTimeout(r, 1500)); // spread writes over the kills
      }
      await killer;
      killing = false;
      await Promise.all([mce.waitHealthy(), mae.waitHealthy()]);

      // The latest write of every URN traces ACTIVE/ACTIVE; a first value overwritten by a second traces HISTORIC.
      await expectEveryWriteTraced(traces, [gms.url]);
      // Exactly one version per distinct value written.
      await expectOneVersionPerValue(`urn:li:dataset:(urn:li:dataPlatform:hive,crash_${run}.%`, writes);
    },
    120000 + ASPECTS * 60,
  );

  it('the Kafka broker SIGKILLed and restarted during async ingest: every write answered 202 is stored and indexed once; writes while it is down answer 503 within a bound', async () => {
    const PRODUCE_TIMEOUT_MS = 5000; // KAFKA_PRODUCE_TIMEOUT_MS's default, which gms runs with
    const accepted: AcceptedBatch[] = [];
    const writes: AspectWrite[] = [];
    const refused: { status: number; ms: number; at: number; message: string }[] = [];
    const started = Date.now();
    let sending = true;
    const writer = (async () => {
      for (let n = 0; sending; n++) {
        const batch = Array.from({ length: 20 }, (_, i) => {
          const urn = `urn:li:dataset:(urn:li:dataPlatform:hive,crashkafka_${run}.b${n}_${i},PROD)`;
          return { urn, description: `only value of ${urn}` };
        });
        const t0 = Date.now();
        const res = await postJson(`${gms.url}/openapi/v3/entity/dataset`, batchBody(batch));
        if (res.status === 202) {
          accepted.push({ traceId: traceIdOf(res.headers.get('traceparent')), urns: batch.map((w) => w.urn) });
          writes.push(...batch);
        } else refused.push({ status: res.status, ms: Date.now() - t0, at: t0 - started, message: String(res.body?.message ?? '') });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 1500));
      await stackAsync('kill', 'kafka');
      await new Promise((r) => setTimeout(r, 4000));
      await stackAsync('up');
      const before = accepted.length;
      await eventually(
        async () => accepted.length,
        (k) => k >= before + 5,
        60000,
        200,
      );
    } finally {
      sending = false;
      await writer;
    }

    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.status).toBe(503);
      expect(r.ms).toBeLessThan(PRODUCE_TIMEOUT_MS + 3000);
    }
    await Promise.all([mce.waitHealthy(), mae.waitHealthy()]);
    await expectEveryWriteTraced(accepted, [gms.url]);
    // A 503 says "not known to be queued": its produce may still have gone through, so only the 202s are counted.
    await expectOneVersionPerValue(`urn:li:dataset:(urn:li:dataPlatform:hive,crashkafka_${run}.%`, writes, true);
  }, 240000);

  it('patches and deletes: every patch applied exactly once, every delete applied after the writes queued before it', async () => {
    // Each URN: a tag list, then PATCHES patches each adding its own tag; every third URN is then deleted whole.
    const URNS = Math.max(30, Math.round(ASPECTS / 30));
    const PATCHES = 5;
    const urns = Array.from({ length: URNS }, (_, i) => `urn:li:dataset:(urn:li:dataPlatform:hive,crashpd_${run}.t${i},PROD)`);
    const deleted = new Set(urns.filter((_, i) => i % 3 === 0));
    const tag = (k: number) => `urn:li:tag:crash_${k}`;
    const last = new Map<string, { traceId: string; aspect: string }>();
    const send = async (method: string, url: string, body: unknown, aspect: string, batch: string[]) => {
      const res = await request(method, `${gms.url}/openapi/v3/entity/${url}`, body);
      expect([url, res.status]).toEqual([url, 202]);
      for (const urn of batch) last.set(urn, { traceId: traceIdOf(res.headers.get('traceparent')), aspect });
    };

    let killing = true;
    const killer = killWhile(() => !killing);
    for (let i = 0; i < URNS; i += BATCH) {
      const batch = urns.slice(i, i + BATCH);
      await send(
        'POST',
        'dataset',
        batch.map((urn) => ({ urn, globalTags: { value: { tags: [] } } })),
        'globalTags',
        batch,
      );
    }
    for (let k = 1; k <= PATCHES; k++) {
      for (let i = 0; i < URNS; i += BATCH) {
        const batch = urns.slice(i, i + BATCH);
        const patch = { patch: [{ op: 'add', path: `/tags/${tag(k)}`, value: { tag: tag(k) } }] };
        await send(
          'PATCH',
          'dataset',
          batch.map((urn) => ({ urn, globalTags: { value: patch } })),
          'globalTags',
          batch,
        );
      }
      await new Promise((r) => setTimeout(r, 300)); // spread the writes over the kills
    }
    for (const urn of deleted) await send('DELETE', `dataset/${encodeURIComponent(urn)}`, undefined, 'datasetKey', [urn]);
    await killer;
    killing = false;
    await Promise.all([mce.waitHealthy(), mae.waitHealthy()]);

    // The last write of every URN (its last patch, or its delete) is traced ACTIVE_STATE in both stores.
    for (const urn of urns) {
      const { traceId, aspect } = last.get(urn)!;
      await eventually(
        () => traceWrite(gms.url, traceId, { [urn]: [aspect] }, { skipCache: true }),
        (r) => r.status === 200 && states(r.body, urn, aspect) === 'ACTIVE_STATE/ACTIVE_STATE',
        120000,
        500,
      );
    }
    // SQL: a live URN holds every tag once, in PATCHES + 1 versions; a deleted one the same history and a tombstone.
    const sql = await sqlConnection();
    try {
      const [rows] = await sql.query(
        "SELECT urn, COUNT(*) AS n, MAX(CASE WHEN version = 0 THEN metadata END) AS latest, MAX(version) AS top FROM metadata_aspect_v2 WHERE urn LIKE ? AND aspect = 'globalTags' GROUP BY urn",
        [`urn:li:dataset:(urn:li:dataPlatform:hive,crashpd_${run}.%`],
      );
      const byUrn = new Map((rows as { urn: string; n: number; latest: string; top: number }[]).map((r) => [r.urn, r]));
      const allTags = { tags: Array.from({ length: PATCHES }, (_, k) => ({ tag: tag(k + 1) })) };
      const wrong = urns.flatMap((urn) => {
        const r = byUrn.get(urn);
        const want = deleted.has(urn) ? { n: PATCHES + 2, latest: null, top: PATCHES + 1 } : { n: PATCHES + 1, latest: allTags, top: PATCHES };
        const got = r && { n: Number(r.n), latest: JSON.parse(r.latest), top: Number(r.top) };
        return JSON.stringify(got) === JSON.stringify(want) ? [] : [`${urn}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`];
      });
      expect(wrong.slice(0, 5)).toEqual([]);
      // A deleted history row keeps the last value: every tag, once.
      const [history] = await sql.query("SELECT metadata FROM metadata_aspect_v2 WHERE urn = ? AND aspect = 'globalTags' AND version = ?", [
        [...deleted][0],
        PATCHES + 1,
      ]);
      expect(JSON.parse((history as { metadata: string }[])[0].metadata)).toEqual(allTags);
    } finally {
      await sql.end();
    }
  }, 240000);
});
