import { AppProcess } from './support/app-process';
import { postJson } from './support/http';
import { AcceptedBatch, batchBody, expectEveryWriteTraced, expectOneVersionPerValue, twoValueWrites } from './support/ingest-check';
import { traceIdOf } from './support/trace-client';

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

  it(
    'loses nothing and doubles nothing',
    async () => {
      // Half the URNs get one value, the other half a second, different value in a later batch: 1 or 2 versions each.
      const { first, second } = twoValueWrites(`crash_${run}`, ASPECTS);
      const writes = [...first, ...second];
      const traces: AcceptedBatch[] = [];
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
});
