import { statSync } from 'fs';
import { countInLog, cpuSince, Ctx, drainOrDrop, gmsUrl, ScenarioResult } from '../lib/context';
import { NAMES } from '../lib/env';
import { FloorPipeline } from '../lib/floor-pipeline';
import { patch, post, traceIdOf, trace } from '../lib/http';
import { openLoop, OpenLoopResult } from '../lib/load';
import { ASPECT, mcpMessages, newTraceId, PATCH_ASPECT, patchBody, serviceBody, urns } from '../lib/payloads';
import { SettlePoller } from '../lib/settle-poller';
import { lagOf } from '../lib/stack';
import { Figure, nowMs, round, sleep, slope, summarize } from '../lib/stats';
import { Row } from '../lib/table';
import { PATCH_CASE } from './ingest';

const BATCH = 10;

/** Log lines of the MCE consumer that explain a backlog: a failed batch is redelivered whole, a crash waits 10 s. */
const MCE_TROUBLE = {
  failedBatches: /Error when calling eachBatch/,
  deadlocks: /ER_LOCK_DEADLOCK/,
  messageTooLarge: /larger than the max message size/,
  restarts: /Restarting the consumer/,
};

export interface Step {
  load: OpenLoopResult;
  /** ms; writes still unsettled at the end of the drain are counted with their time so far (a lower bound). */
  settle: Figure;
  unsettled: number;
  /** What the consumers were given before the step, to start it idle. */
  before?: { waitedMs: number; dropped?: { mcp: number; mcl: number } };
  /** What the MCE consumer logged during the step and its drain: the evidence when it falls behind. */
  mceLog?: Record<string, number>;
  /** CPU of each process during the load (ours, the bench, and the stack's, which others may share), % of one core. */
  cpu?: Record<string, number>;
  lag: { max: number; final: number; growthPerSec: number; samples: [number, number][] };
  bounded: boolean;
  checked?: string;
}

type Side = 'service' | 'floor';
/** What the service's writes are: datasetProperties upserts (POST), or globalTags JSON Patches (PATCH). The floor always upserts. */
type Kind = 'upsert' | 'patch';

/** The rates (aspects/s) a ramp steps through: up from where it starts while it keeps up, down while it does not. */
export const LADDER = [20, 50, 100, 200, 300, 500, 700, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 12000, 16000];

/**
 * One side's search for its sustained rate on LADDER: the first step decides the direction; going up,
 * the last rate that kept up before one fell behind; going down, the first rate that kept up. Steps
 * already measured (the steady ones) are reused, not run again.
 */
export class Climb {
  readonly steps: Record<string, Step> = {};
  sustained?: number;
  /** The ramp reached the top of LADDER still keeping up: the sustained rate is at least that. */
  topReached = false;
  /** The ramp ran out of its time budget before it found where it falls behind. */
  cut = false;
  private direction?: 'up' | 'down';
  private i: number;
  private done = false;

  constructor(
    start: number,
    private readonly known: Map<number, Step> = new Map(),
  ) {
    this.i = Math.max(0, LADDER.filter((r) => r <= start).length - 1);
  }

  /** The next rate to try, or undefined when the search is over. */
  next(): number | undefined {
    while (!this.done && this.known.has(LADDER[this.i])) this.record(LADDER[this.i], this.known.get(LADDER[this.i])!);
    return this.done ? undefined : LADDER[this.i];
  }

  record(rate: number, step: Step): void {
    if (!this.known.has(rate)) this.steps[`rate${rate}`] = step;
    this.direction ??= step.bounded ? 'up' : 'down';
    if (step.bounded) this.sustained = Math.max(this.sustained ?? 0, rate);
    if (this.direction === 'up' ? !step.bounded : step.bounded) this.done = true;
    this.i += this.direction === 'up' ? 1 : -1;
    if (this.i >= LADDER.length) this.topReached = this.done = true;
    if (this.i < 0) this.done = true;
  }

  stop(): void {
    if (!this.done) this.cut = this.done = true;
  }

  /** The rates it tried, lowest first. */
  tried(): number[] {
    return [...new Set([...this.known.keys(), ...Object.keys(this.steps).map((k) => Number(k.slice(4)))])].sort((a, b) => a - b);
  }

  verdict(): string {
    const t = this.tried();
    const range = `${t[0]}-${t[t.length - 1]}/s tried${this.cut ? ', ramp cut short by its time budget' : ''}`;
    if (this.sustained === undefined) return `none kept up (${range})`;
    return `${this.topReached ? 'at least ' : ''}${this.sustained}/s (${range})`;
  }
}

export interface Stepper {
  step(side: Side, rate: number, stepMs: number, drainMs: number, kind?: Kind): Promise<Step>;
}

/**
 * Runs steps of offered load: batches of 10 aspects at `rate` aspects/s for `stepMs`, through the
 * service (spread over its gms processes) or through the floor pipeline, each write watched until it
 * settles. Before each step both pipelines are brought to idle (their backlog dropped if they do not
 * drain within `drainMs`), so a side that fell behind does not load the machine during the next step.
 */
export function stepper(ctx: Ctx, floor: FloorPipeline | undefined): Stepper {
  let tag = 0;
  const step = async (side: Side, rate: number, stepMs: number, drainMs: number, kind: Kind = 'upsert'): Promise<Step> => {
    const t = `s2${side[0]}${kind === 'patch' ? 'x' : ''}${ctx.procs}p${rate}_${tag++}`;
    const aspect = kind === 'patch' ? PATCH_ASPECT : ASPECT;
    const service = await drainOrDrop(ctx, drainMs);
    const floorIdle = floor ? await floor.idle(drainMs) : undefined;
    if (floorIdle?.dropped) ctx.log(`  floor did not drain within ${drainMs} ms: dropped its backlog ${JSON.stringify(floorIdle.dropped)}`);
    const before = side === 'service' ? service : floorIdle;
    const mceLogs = ctx.mce.map((a) => ({ file: a.logFile, from: statSync(a.logFile).size }));
    const cpuOf = cpuSince(ctx);
    const poller = new SettlePoller(ctx.stack.search, side === 'service' ? NAMES.systemMetadataIndex : NAMES.floorIndex);
    const [group1, topic1, group2, topic2] =
      side === 'service' ? [NAMES.mceGroup, NAMES.mcp, NAMES.maeGroup, NAMES.mcl] : [NAMES.floorMceGroup, NAMES.floorMcp, NAMES.floorMaeGroup, NAMES.floorMcl];
    const lagSamples: [number, number][] = [];
    const t0 = nowMs();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const lag = (await lagOf(ctx.stack.admin, group1, topic1)) + (await lagOf(ctx.stack.admin, group2, topic2));
        lagSamples.push([(nowMs() - t0) / 1000, lag]);
        await sleep(250);
      }
    })();
    const sent: { traceId: string; urns: string[] }[] = [];
    poller.start();
    const send = async (seq: number): Promise<boolean> => {
      const list = urns(t, seq * BATCH, BATCH);
      if (side === 'service') {
        const url = `${gmsUrl(ctx, seq)}/openapi/v3/entity/dataset`;
        const reply = kind === 'patch' ? await patch(url, patchBody(list, seq * BATCH)) : await post(url, serviceBody(list, seq * BATCH));
        if (reply.status !== 202) return false;
        const at = nowMs();
        const traceId = traceIdOf(reply);
        for (const urn of list) poller.track(urn, aspect, traceId, at);
        if (seq % 50 === 0) sent.push({ traceId, urns: list });
        return true;
      }
      const traceId = newTraceId();
      await ctx.stack.producer.sendBatch({
        acks: -1,
        timeout: 5000,
        topicMessages: [{ topic: NAMES.floorMcp, messages: mcpMessages(list, traceId, seq * BATCH) }],
      });
      const at = nowMs();
      for (const urn of list) poller.track(urn, ASPECT, traceId, at);
      return true;
    };
    const load = await openLoop(rate, BATCH, stepMs, send);
    const endOfLoad = (nowMs() - t0) / 1000;
    const cpu = cpuOf();
    await poller.drain(drainMs);
    const unsettled = poller.censor();
    sampling = false;
    await sampler;
    await poller.stop();
    const during = lagSamples.filter(([s]) => s <= endOfLoad);
    const growthPerSec = round(slope(during.slice(Math.floor(during.length / 4))), 1); // after the first quarter: past start-up transients
    const lag = { max: Math.max(0, ...during.map(([, l]) => l)), final: during.at(-1)?.[1] ?? 0, growthPerSec, samples: during };
    const result: Step = {
      load,
      settle: summarize(poller.settledMs, 'ms'),
      unsettled,
      ...(before ? { before } : {}),
      cpu,
      lag,
      // "Falls behind": the lag grows by 10 % of the rate per second or more, or the load could not be sent, or writes did not settle.
      bounded: growthPerSec < 0.1 * rate && load.sentPerSec >= 0.95 * rate && unsettled === 0,
    };
    if (side === 'service') result.checked = await checkWithTraceEndpoint(ctx, sent, aspect);
    if (side === 'service' && mceLogs.length) {
      const counts = mceLogs.map((l) => countInLog(l.file, l.from, MCE_TROUBLE));
      result.mceLog = Object.fromEntries(Object.keys(MCE_TROUBLE).map((k) => [k, counts.reduce((s, c) => s + c[k], 0)]));
    }
    ctx.log(
      `  ${side}${kind === 'patch' ? ' PATCH' : ''}${side === 'service' ? ` (${ctx.procs} process${ctx.procs > 1 ? 'es' : ''} each)` : ''} ${rate}/s: settle median ${result.settle.median} ms, p99 ${result.settle.p99} ms (n ${result.settle.n}, unsettled ${unsettled}), ` +
        `sent ${load.sentPerSec}/s, lag max ${lag.max} growth ${growthPerSec}/s, CPU ${JSON.stringify(cpu)}${result.mceLog ? `, MCE log ${JSON.stringify(result.mceLog)}` : ''}${before?.dropped ? `, dropped backlog before: ${JSON.stringify(before.dropped)}` : ''} -> ${result.bounded ? 'keeps up' : 'falls behind'}${result.checked ? `; trace check: ${result.checked}` : ''}`,
    );
    return result;
  };
  return { step };
}

/** Steps' lengths: steady steps (long, for the percentiles) and ramp steps (shorter, for the lag's trend). */
const timing = (quick: boolean) => ({
  steadyMs: quick ? 2000 : 15000,
  steadyDrainMs: quick ? 3000 : 30000,
  rampMs: quick ? 3000 : 6000,
  rampDrainMs: quick ? 4000 : 10000,
  /** Each ramp stops when its budget is spent, so the run stays bounded whatever the code under test does. */
  rampBudgetMs: quick ? 35000 : 90000,
  scaledRampBudgetMs: quick ? 25000 : 50000,
});

/** Runs climbs side by side, the same rates in turn for each (so drift in the machine's load hits both), until each is over or the budget is spent. */
async function runClimbs(ctx: Ctx, s: Stepper, climbs: Partial<Record<Side, Climb>>, budgetMs: number): Promise<void> {
  const t = timing(ctx.quick);
  const t0 = nowMs();
  const all = Object.keys(climbs) as Side[];
  for (;;) {
    const sides = all.filter((side) => climbs[side]!.next() !== undefined);
    if (sides.length === 0) return;
    const rate = Math.min(...sides.map((side) => climbs[side]!.next()!));
    for (const side of sides.filter((x) => climbs[x]!.next() === rate)) {
      if (nowMs() - t0 > budgetMs) {
        all.forEach((x) => climbs[x]!.stop());
        ctx.log(`  ramp budget of ${budgetMs / 1000} s spent: stopped`);
        return;
      }
      climbs[side]!.record(rate, await s.step(side, rate, t.rampMs, t.rampDrainMs));
    }
  }
}

const figureOf = (rate: number | undefined) => (rate !== undefined ? summarize([rate], 'aspects/s', rate) : summarize([], 'aspects/s'));

/**
 * Scenario 2: end-to-end settle time - from the 202 (the producer's ack, for the floor) until the write
 * is ACTIVE_STATE in both stores - at steady offered rates of 200 and 1,000 aspects/s, in batches of 10
 * aspects; then the sustained rate of the service and of the floor (FloorPipeline), ramped the same way
 * in turn: 1,500, 2,000, 3,000, 4,000, ... until each falls behind (or down from 1,000 when that did).
 * Then one steady step of globalTags JSON Patches (PATCH) at the steady rate closest to the sustained
 * target, beside the upsert row and floor of that rate. With one process of each kind; settleScaled()
 * ramps the service again with two.
 */
export async function settle(ctx: Ctx): Promise<ScenarioResult> {
  const t = timing(ctx.quick);
  const rows: Row[] = [];
  const data: Record<string, unknown> = { batch: BATCH, steadyMs: t.steadyMs, rampStepMs: t.rampMs, processes: ctx.procs };
  const floor = new FloorPipeline(ctx.stack);
  const s = stepper(ctx, floor);
  const steady: Record<string, { service: Step; floor: Step }> = {};
  await floor.start();
  try {
    for (const rate of [200, 1000]) {
      const service = await s.step('service', rate, t.steadyMs, t.steadyDrainMs);
      const f = await s.step('floor', rate, t.steadyMs, t.steadyDrainMs);
      steady[`rate${rate}`] = { service, floor: f };
      const ratio = round(service.settle.p99 / f.settle.p99, 2);
      rows.push({
        scenario: '2 settle',
        case: `${rate} aspects/s offered, ${service.bounded ? 'keeps up' : 'falls behind'}`,
        figure: service.settle,
        floor: f.settle,
        ratio,
        ratioOf: 'p99',
        ...(rate === 200
          ? { target: 'p99 <= 2x floor', met: ratio <= 2 && service.unsettled === 0 }
          : { target: 'p99 <= 300 ms', met: service.settle.p99 <= 300 && service.unsettled === 0 }),
      });
    }
    data.steady = steady;
    const known = (side: Side) => new Map([200, 1000].map((r) => [r, steady[`rate${r}`][side]]));
    const climbs = { service: new Climb(1000, known('service')), floor: new Climb(1000, known('floor')) };
    await runClimbs(ctx, s, climbs, t.rampBudgetMs);
    const sustained = { service: climbs.service.sustained ?? null, floor: climbs.floor.sustained ?? null };
    data.ramp = { service: climbs.service.steps, floor: climbs.floor.steps };
    data.sustainedAspectsPerSec = sustained;
    data.sustainedNote =
      'highest offered rate tried at which the lag did not grow (by 10 % of the rate per second or more), the load was sent in full and every write settled' +
      `; ramp steps of ${t.rampMs / 1000} s${ctx.quick ? ' (quick run: coarse)' : ''}`;
    data.verdicts = { service: climbs.service.verdict(), floor: climbs.floor.verdict() };
    data.topReached = { service: climbs.service.topReached, floor: climbs.floor.topReached };
    const ratio = sustained.service !== null && sustained.floor ? round(sustained.service / sustained.floor, 2) : undefined;
    // Patches at the steady rate closest to the sustained target (half the floor's sustained rate; the service's
    // own sustained rate when the floor has none), beside the upsert row of that rate and its floor.
    const goal = sustained.floor !== null ? sustained.floor * 0.5 : (sustained.service ?? 1000);
    const patchRate = [200, 1000].reduce((a, b) => (Math.abs(b - goal) < Math.abs(a - goal) ? b : a));
    const patched = await s.step('service', patchRate, t.steadyMs, t.steadyDrainMs, 'patch');
    const upsert = steady[`rate${patchRate}`];
    const patchRatio = round(patched.settle.p99 / upsert.floor.settle.p99, 2);
    data.patch = { aspect: PATCH_ASPECT, rate: patchRate, chosenFor: `steady rate closest to ${goal}/s (the sustained target)`, service: patched };
    rows.splice(rows.findIndex((r) => r.case.startsWith(`${patchRate} aspects/s`)) + 1, 0, {
      scenario: '2 settle',
      case: `${patchRate} aspects/s offered, ${PATCH_CASE}, ${patched.bounded ? 'keeps up' : 'falls behind'} (upsert p99 ${Math.round(upsert.service.settle.p99)} ms)`,
      figure: patched.settle,
      floor: upsert.floor.settle,
      ratio: patchRatio,
      ratioOf: 'p99',
    });
    rows.push({
      scenario: '2 settle',
      case: `sustained rate, 1 process each: service ${climbs.service.verdict()}; floor ${climbs.floor.verdict()}${ctx.quick ? ' (coarse)' : ''}`,
      figure: figureOf(climbs.service.sustained),
      floor: figureOf(climbs.floor.sustained),
      ...(ratio !== undefined ? { ratio } : {}),
      target: '>= 0.5x floor',
      met: ratio !== undefined && ratio >= 0.5 && !climbs.floor.topReached,
    });
  } finally {
    await floor.stop();
  }
  return { rows, data };
}

/**
 * Scenario 2 again with `ctx.procs` processes of each kind (the caller started them): the service's
 * sustained rate, ramped from `start` (the one-process sustained rate), beside the floor's sustained rate
 * measured by settle() in the same run.
 */
export async function settleScaled(ctx: Ctx, start: number, floorSustained: number | null, floorTopReached: boolean): Promise<ScenarioResult> {
  const t = timing(ctx.quick);
  const climb = new Climb(start);
  await runClimbs(ctx, stepper(ctx, undefined), { service: climb }, t.scaledRampBudgetMs);
  const ratio = climb.sustained !== undefined && floorSustained ? round(climb.sustained / floorSustained, 2) : undefined;
  const rows: Row[] = [
    {
      scenario: '2 settle',
      case: `sustained rate, ${ctx.procs} processes each: service ${climb.verdict()}; floor as above${ctx.quick ? ' (coarse)' : ''}`,
      figure: figureOf(climb.sustained),
      floor: figureOf(floorSustained ?? undefined),
      ...(ratio !== undefined ? { ratio } : {}),
      target: '>= 0.5x floor',
      met: ratio !== undefined && ratio >= 0.5 && !floorTopReached,
    },
  ];
  return { rows, data: { processes: ctx.procs, start, ramp: climb.steps, sustainedAspectsPerSec: climb.sustained ?? null, verdict: climb.verdict() } };
}

/** How a sample of the step's writes reads through the trace endpoint after the drain (settled ones: ACTIVE_STATE/ACTIVE_STATE). */
async function checkWithTraceEndpoint(ctx: Ctx, sent: { traceId: string; urns: string[] }[], aspect: string): Promise<string> {
  let active = 0;
  let other = 0;
  for (const { traceId, urns: list } of sent.slice(0, 20)) {
    const reply = await trace(ctx.gms.url, traceId, JSON.stringify(Object.fromEntries(list.map((u) => [u, [aspect]]))));
    const body = JSON.parse(reply.body) as Record<string, Record<string, { primaryStorage: { writeStatus: string }; searchStorage: { writeStatus: string } }>>;
    for (const u of list) {
      const r = body[u]?.[aspect];
      if (r?.primaryStorage.writeStatus === 'ACTIVE_STATE' && r.searchStorage.writeStatus === 'ACTIVE_STATE') active++;
      else other++;
    }
  }
  return `${active} ACTIVE/ACTIVE, ${other} other`;
}
