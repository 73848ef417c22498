import { AssignerProtocol } from 'kafkajs';
import { AppName, AppProcess } from './support/app-process';
import { postJson } from './support/http';
import { AcceptedBatch, AspectWrite, batchBody, expectEveryWriteTraced, expectOneVersionPerValue, twoValueWrites } from './support/ingest-check';
import { dropNamespace } from './support/namespace';
import { eventually } from './support/poll';
import { stackEnv } from './support/stack-env';
import { kafka } from './support/stores';
import { traceIdOf } from './support/trace-client';

/**
 * Scale-out: two gms processes, two MCE consumers in their group and two MAE consumers in theirs, on
 * topics of 6 partitions. SCALE_TEST_ASPECTS async aspects (default 10,000) are written through both gms
 * processes in turn while one process of each kind is SIGKILLed and restarted. Afterwards every accepted
 * write traces to its final state in both stores, SQL holds exactly one version per distinct value, and
 * each group's partitions were shared by both of its members.
 *
 * Its own topics, groups and indices (suffix `_scale<run>`), created once by `--setup` with 6 partitions
 * (the apps then run with SETUP_ON_START=false, as in production), and deleted afterwards.
 */
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
process.env.E2E_SUFFIX = `${process.env.E2E_SUFFIX ?? '_e2e'}_scale${run}`;
const env = stackEnv();

const ASPECTS = Number(process.env.SCALE_TEST_ASPECTS ?? 10000);
const BATCH = 100;
const PARTITIONS = 6;
/** Write requests in flight at once, spread over both gms processes. */
const IN_FLIGHT = 4;
const COMMON = {
  KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
  SETUP_ON_START: 'false',
  // A SIGKILLed member leaves its group after the session timeout (30 s by default). Shorter here, but not
  // too short: kafkajs heartbeats between batches only, and with a backlog an MCE batch (up to 1 MB per
  // partition, 3 partitions at once) can take several seconds on a busy machine - a member whose batch
  // outlasts the session is evicted, and two members evicting each other never settle (seen with 6 s).
  KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '15000',
  KAFKA_CONSUMER_REBALANCE_TIMEOUT_MS: '30000',
};
const ENV: Record<AppName, Record<string, string>> = {
  // GMS_WORKERS: one process per gms here (the cluster mode is tested on its own); harmless where unknown.
  gms: { ...COMMON, GMS_WORKERS: '1' },
  'mce-consumer': COMMON,
  'mae-consumer': COMMON,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const suiteStart = Date.now();
/** A line of the suite's timeline on stdout: where the time goes, also when it fails. */
const mark = (what: string) => process.stdout.write(`scale-out +${((Date.now() - suiteStart) / 1000).toFixed(1)} s: ${what}\n`);

/** Two processes of one app; `up[i]` is false from the moment process i is about to be killed until it is healthy again. */
class Pair {
  readonly up = [false, false];
  readonly kills: { killedAt: number; healthyAgainAt: number }[] = [];

  private constructor(
    readonly name: AppName,
    readonly procs: AppProcess[],
  ) {}

  static async start(name: AppName): Promise<Pair> {
    const pair = new Pair(name, await Promise.all([AppProcess.start(name, ENV[name]), AppProcess.start(name, ENV[name])]));
    await Promise.all(pair.procs.map((p) => p.waitHealthy()));
    pair.up.fill(true);
    return pair;
  }

  /** SIGKILL process i, start a new one in its place, and wait until it is healthy. */
  async killAndRestart(i: number): Promise<void> {
    const t0 = Date.now();
    this.up[i] = false;
    await this.procs[i].stop('SIGKILL');
    mark(`${this.name} ${i} SIGKILLed`);
    this.procs[i] = await AppProcess.start(this.name, ENV[this.name]);
    await this.procs[i].waitHealthy();
    this.up[i] = true;
    this.kills.push({ killedAt: t0, healthyAgainAt: Date.now() });
    mark(`${this.name} ${i} restarted and healthy again, ${Date.now() - t0} ms after the kill`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.stop()));
  }
}

interface GroupShares {
  state: string;
  /** Per member: the partitions of the topic it was assigned. */
  shares: number[][];
}

async function groupShares(groupId: string, topic: string): Promise<GroupShares> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    return {
      state: group?.state ?? 'absent',
      shares: (group?.members ?? []).map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? []),
    };
  } finally {
    await admin.disconnect();
  }
}

/** Messages of the topics the group has not committed yet (for the timeline: where the time goes). */
async function lag(groupId: string, topics: string[]): Promise<number> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    let total = 0;
    for (const topic of topics) {
      const [high, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
      for (const p of high) {
        const c = Number(committed.partitions.find((m) => m.partition === p.partition)?.offset ?? -1);
        total += Number(p.high) - Math.max(c, Number(p.low), 0);
      }
    }
    return total;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Both members of the (stable) group hold a share of the topic's partitions: every partition once, at least
 * one each. When the group does not settle, the error carries what its members logged about it.
 */
async function expectShared(pair: Pair, groupId: string, topic: string): Promise<number[][]> {
  let shares: number[][];
  try {
    ({ shares } = await eventually(
      () => groupShares(groupId, topic),
      (g) => g.state === 'Stable' && g.shares.length === 2,
      45000,
      250,
    ));
  } catch (err) {
    const logs = pair.procs.map(
      (p, i) =>
        `${pair.name} ${i}:\n${p.output
          .split('\n')
          .filter((l) => /group|crash|rebalanc|error|warn/i.test(l))
          .slice(-20)
          .join('\n')}`,
    );
    throw new Error(`${(err as Error).message}\n${logs.join('\n')}`);
  }
  expect(shares.map((s) => s.length >= 1)).toEqual([true, true]);
  expect(shares.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: PARTITIONS }, (_, p) => p));
  return shares;
}

describe(`scale-out: ${ASPECTS} async aspects through 2 gms, 2 MCE and 2 MAE processes on ${PARTITIONS} partitions, one of each SIGKILLed`, () => {
  let gms: Pair;
  let mce: Pair;
  let mae: Pair;

  beforeAll(async () => {
    const setup = await AppProcess.start('gms', ENV.gms, ['--setup']);
    expect(await setup.waitForExit(60000)).toBe(0);
    mark('topics (6 partitions), table and indices set up');
    [gms, mce, mae] = await Promise.all([Pair.start('gms'), Pair.start('mce-consumer'), Pair.start('mae-consumer')]);
    mark('2 gms, 2 MCE, 2 MAE healthy');
  }, 120000);

  afterAll(async () => {
    await Promise.all([gms?.stop(), mce?.stop(), mae?.stop()]);
    await dropNamespace(env);
  }, 60000);

  it('shares the partitions, loses nothing and doubles nothing', async () => {
    const t0 = Date.now();
    // The topics have 6 partitions, and each group's two members hold a share of them.
    const admin = kafka().admin();
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: [env.TOPIC_MCP, env.TOPIC_MCL_VERSIONED, env.TOPIC_MCL_TIMESERIES] });
    await admin.disconnect();
    expect(topics.map((t) => t.partitions.length)).toEqual([PARTITIONS, PARTITIONS, PARTITIONS]);
    mark('topics have 6 partitions');
    const sharedBefore = {
      mce: await expectShared(mce, env.MCE_CONSUMER_GROUP, env.TOPIC_MCP),
      mae: await expectShared(mae, env.MAE_CONSUMER_GROUP, env.TOPIC_MCL_VERSIONED),
    };

    const { first, second } = twoValueWrites(`scale_${run}`, ASPECTS);
    const passes = [first, second].map((writes, p) => ({ writes, batches: Math.ceil(writes.length / BATCH), next: 0, pass: p }));
    const total = passes[0].batches + passes[1].batches;
    const accepted: (AcceptedBatch & { via: string })[] = [];
    let unanswered = 0;
    /** Generation of each gms process: 1 before its restart, 2 after. The killed one is gms 1. */
    const generation = [1, 1];

    /**
     * Sends one batch like a client behind a load balancer: to gms `prefer` (or the other while that one is
     * down); a request that got no answer, or a 503, is sent again - to whichever is up.
     */
    const send = async (batch: AspectWrite[], prefer: number): Promise<void> => {
      let retried = false;
      for (let attempt = 0; attempt < 100; attempt++) {
        const i = gms.up[(prefer + attempt) % 2] ? (prefer + attempt) % 2 : (prefer + attempt + 1) % 2;
        if (!gms.up[i]) {
          await sleep(100);
          continue;
        }
        const via = `gms ${i} #${generation[i]}`;
        try {
          const res = await postJson(`${gms.procs[i].url}/openapi/v3/entity/dataset`, batchBody(batch));
          if (res.status === 202) {
            accepted.push({ traceId: traceIdOf(res.headers.get('traceparent')), urns: batch.map((w) => w.urn), retried, via });
            return;
          }
          // A gms that is stopping answers 503 (readiness); anything else is a failure of the test.
          if (res.status !== 503) throw new Error(`${via} answered ${res.status}: ${JSON.stringify(res.body)}`);
        } catch (err) {
          // fetch fails with a TypeError (of Node's realm, hence the name test) whose cause says why.
          if ((err as Error).name !== 'TypeError') throw err;
          // Refused: the request never reached the service. Anything else (reset, closed): it may have been published.
          if (((err as Error).cause as { code?: string } | undefined)?.code !== 'ECONNREFUSED') {
            retried = true;
            unanswered++;
          }
        }
        await sleep(50);
      }
      throw new Error('a batch was not accepted after 100 attempts');
    };
    const sendBatch = (pass: (typeof passes)[number], b: number, prefer = (pass.pass * passes[0].batches + b) % 2) =>
      send(pass.writes.slice(b * BATCH, (b + 1) * BATCH), prefer);

    // One process of each kind is killed mid-run, at a point of the writes' progress, and restarted at once.
    // The gms is killed 10 ms after a burst of requests was sent to it: some are answered 202 before it dies
    // (and count), the others get no answer and are sent again to the other gms, as a client would.
    const bursts: Promise<void>[] = [];
    const killGms = () => {
      const pass = passes[0];
      const claimed = Array.from({ length: IN_FLIGHT }, () => (pass.next < pass.batches ? pass.next++ : undefined)).filter((b) => b !== undefined);
      bursts.push(...claimed.map((b) => sendBatch(pass, b, 1)));
      return sleep(10).then(() => gms.killAndRestart(1).then(() => void generation[1]++));
    };
    const killAt = [
      { at: Math.round(total * 0.2), kill: killGms },
      { at: Math.round(total * 0.35), kill: () => mce.killAndRestart(0) },
      { at: Math.round(total * 0.5), kill: () => mae.killAndRestart(0) },
    ];
    const restarts: Promise<void>[] = [];
    const sendPass = (pass: (typeof passes)[number]) =>
      Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (pass.next < pass.batches) {
            await sendBatch(pass, pass.next++);
            while (killAt.length > 0 && accepted.length >= killAt[0].at) restarts.push(killAt.shift()!.kill());
          }
        }),
      );
    const acceptedByKilledBeforeKill = () => accepted.filter((a) => a.via === 'gms 1 #1').length;

    mark(`partitions shared: MCE ${JSON.stringify(sharedBefore.mce)}, MAE ${JSON.stringify(sharedBefore.mae)}`);
    const lags = async () =>
      `MCE lag ${await lag(env.MCE_CONSUMER_GROUP, [env.TOPIC_MCP])}, MAE lag ${await lag(env.MAE_CONSUMER_GROUP, [env.TOPIC_MCL_VERSIONED, env.TOPIC_MCL_TIMESERIES])}`;
    const writeStart = Date.now();
    await sendPass(passes[0]);
    await Promise.all(bursts);
    // Every URN's first value was accepted before any second value is sent: the order of a URN's two writes is known.
    await sendPass(passes[1]);
    const writeMs = Date.now() - writeStart;
    mark(`${accepted.length} write requests accepted in ${writeMs} ms, ${unanswered} of them sent again after getting no answer; ${await lags()}`);
    expect(accepted).toHaveLength(total);
    // Both gms processes accepted writes; those the killed one accepted before it died are among those checked below.
    expect(accepted.filter((a) => a.via === 'gms 0 #1').length).toBeGreaterThan(0);
    expect(acceptedByKilledBeforeKill()).toBeGreaterThan(0);
    await Promise.all(restarts);
    expect(killAt).toHaveLength(0);
    mark(`restarts done; ${await lags()}`);

    const traceStart = Date.now();
    const [sharedAfter] = await Promise.all([
      // After the restarts both members of each group hold a share of the partitions again...
      (async () => {
        const shares = {
          mce: await expectShared(mce, env.MCE_CONSUMER_GROUP, env.TOPIC_MCP),
          mae: await expectShared(mae, env.MAE_CONSUMER_GROUP, env.TOPIC_MCL_VERSIONED),
        };
        mark(`partitions shared again: MCE ${JSON.stringify(shares.mce)}, MAE ${JSON.stringify(shares.mae)}`);
        return shares;
      })(),
      // ...and every accepted write traces to its final state (latest ACTIVE, overwritten HISTORIC) in both stores, read through both gms.
      expectEveryWriteTraced(
        accepted,
        gms.procs.map((p) => p.url),
        { concurrency: 4, timeoutMs: 90000 },
      ).then(async () => mark(`every write traced in ${Date.now() - traceStart} ms; ${await lags()}`)),
    ]);
    const traceMs = Date.now() - traceStart;
    // Exactly one SQL version per distinct value written (a retried request writes its values again: no new version).
    await expectOneVersionPerValue(`urn:li:dataset:(urn:li:dataPlatform:hive,scale_${run}.%`, [...first, ...second]);
    mark('one SQL version per distinct value');

    process.stdout.write(
      `scale-out: ${ASPECTS} aspects in ${total} requests written in ${writeMs} ms (${accepted.filter((a) => a.via.startsWith('gms 0')).length} via gms 0, ` +
        `${acceptedByKilledBeforeKill()} via gms 1 before its SIGKILL, ${accepted.filter((a) => a.via === 'gms 1 #2').length} after its restart; ` +
        `${unanswered} requests sent again after no answer); traced and checked in ${traceMs} ms; test body ${Date.now() - t0} ms, suite ${Date.now() - suiteStart} ms. ` +
        `Partitions before: MCE ${JSON.stringify(sharedBefore.mce)}, MAE ${JSON.stringify(sharedBefore.mae)}; ` +
        `after: MCE ${JSON.stringify(sharedAfter.mce)}, MAE ${JSON.stringify(sharedAfter.mae)}; ` +
        `healthy again after the kill: ${[gms, mce, mae].map((p) => `${p.name} ${p.kills.map((k) => k.healthyAgainAt - k.killedAt)} ms`).join(', ')}\n`,
    );
  }, 180000);
});
