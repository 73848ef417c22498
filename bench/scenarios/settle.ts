import { statSync } from 'fs';
import { App, cpuSecondsOf, stackProcesses } from '../lib/apps';
import { countInLog, Ctx, drainOrDrop, ScenarioResult } from '../lib/context';
import { NAMES } from '../lib/env';
import { FloorPipeline } from '../lib/floor-pipeline';
import { post, traceIdOf, trace } from '../lib/http';
import { openLoop, OpenLoopResult } from '../lib/load';
import { ASPECT, mcpMessages, newTraceId, serviceBody, urns } from '../lib/payloads';
import { SettlePoller } from '../lib/settle-poller';
import { lagOf } from '../lib/stack';
import { Figure, nowMs, round, sleep, slope, summarize } from '../lib/stats';
import { Row } from '../lib/table';

const BATCH = 10;

/** Log lines of the MCE consumer that explain a backlog: a failed batch is redelivered whole, a crash waits 10 s. */
const MCE_TROUBLE = {
  failedBatches: /Error when calling eachBatch/,
  deadlocks: /ER_LOCK_DEADLOCK/,
  messageTooLarge: /larger than the max message size/,
  restarts: /Restarting the consumer/,
};

interface Step {
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

/**
 * Scenario 2: end-to-end settle time - from the 202 (the producer's ack, for the floor) until the write
 * is ACTIVE_STATE in both stores - at steady offered rates, in batches of 10 aspects; and the highest
 * offered rate at which the consumers keep up (their lag does not grow). The floor is FloorPipeline.
 */
export async function settle(ctx: Ctx): Promise<ScenarioResult> {
  const ms = ctx.quick ? 2000 : 20000;
  const steadyDrainMs = ctx.quick ? 3000 : 30000;
  const rows: Row[] = [];
  const data: Record<string, unknown> = { batch: BATCH, durationMs: ms };
  let tag = 0;

  const step = async (side: Side, rate: number, stepMs: number, drainMs = steadyDrainMs): Promise<Step> => {
    const t = `s2${side[0]}${rate}_${tag++}`;
    const before = side === 'service' ? await drainOrDrop(ctx, drainMs) : undefined;
    const apps = [...[ctx.gms, ctx.mce, ctx.mae].filter((a): a is App => !!a), ...stackProcesses()];
    const mceLogFile = ctx.mce?.logFile;
    const mceLogFrom = mceLogFile ? statSync(mceLogFile).size : 0;
    const cpu0 = apps.map((a) => cpuSecondsOf(a.pid));
    const bench0 = process.cpuUsage();
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
        const reply = await post(`${ctx.gms.url}/openapi/v3/entity/dataset`, serviceBody(list, seq * BATCH));
        if (reply.status !== 202) return false;
        const at = nowMs();
        const traceId = traceIdOf(reply);
        for (const urn of list) poller.track(urn, ASPECT, traceId, at);
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
    const cpu = Object.fromEntries(apps.map((a, i) => [a.name, Math.round(((cpuSecondsOf(a.pid) - cpu0[i]) / endOfLoad) * 100)]));
    const b = process.cpuUsage(bench0);
    cpu.bench = Math.round(((b.user + b.system) / 1e6 / endOfLoad) * 100);
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
      bounded: growthPerSec < 0.1 * rate && load.sentPerSec >= 0.95 * rate && unsettled === 0,
    };
    if (side === 'service') result.checked = await checkWithTraceEndpoint(ctx, sent);
    if (side === 'service' && mceLogFile) result.mceLog = countInLog(mceLogFile, mceLogFrom, MCE_TROUBLE);
    ctx.log(
      `  ${side} ${rate}/s: settle median ${result.settle.median} ms, p99 ${result.settle.p99} ms (n ${result.settle.n}, unsettled ${unsettled}), ` +
        `sent ${load.sentPerSec}/s, lag max ${lag.max} growth ${growthPerSec}/s, CPU ${JSON.stringify(cpu)}${result.mceLog ? `, MCE log ${JSON.stringify(result.mceLog)}` : ''}${before?.dropped ? `, dropped backlog before: ${JSON.stringify(before.dropped)}` : ''} -> ${result.bounded ? 'keeps up' : 'falls behind'}${result.checked ? `; trace check: ${result.checked}` : ''}`,
    );
    return result;
  };

  const floor = new FloorPipeline(ctx.stack);
  const steady: Record<string, { service: Step; floor: Step }> = {};
  await floor.start();
  for (const rate of [200, 1000]) {
    const service = await step('service', rate, ms);
    const f = await step('floor', rate, ms);
    steady[`rate${rate}`] = { service, floor: f };
    rows.push({
      scenario: '2 settle',
      case: `${rate} aspects/s offered, ${service.bounded ? 'keeps up' : 'falls behind'}`,
      figure: service.settle,
      floor: f.settle,
      ratio: round(service.settle.p99 / f.settle.p99, 2),
      ratioOf: 'p99',
      ...(rate === 200 ? { target: 'p99 < 1000 ms', met: service.settle.p99 < 1000 && service.unsettled === 0 } : {}),
    });
  }
  data.steady = steady;
  const floorStopped = floor.stop(); // leaving the groups takes a fetch wait (~5 s): overlap it with the ramp

  // The sustained rate: from the steady steps, step up past 1000/s, or down below 1000/s (below 200/s when that failed too).
  const ramp: Record<string, Step> = {};
  let sustained: number | undefined = steady.rate1000.service.bounded ? 1000 : steady.rate200.service.bounded ? 200 : undefined;
  if (!ctx.quick) {
    const up = steady.rate1000.service.bounded;
    for (const rate of up ? [1500, 2000, 3000, 4000] : steady.rate200.service.bounded ? [700, 500, 300] : [100, 50, 20]) {
      const s = await step('service', rate, 8000, 15000);
      ramp[`rate${rate}`] = s;
      if (up && !s.bounded) break;
      if (up) sustained = rate;
      if (!up && s.bounded) {
        sustained = Math.max(sustained ?? 0, rate);
        break;
      }
    }
  }
  data.ramp = ramp;
  data.sustainedAspectsPerSec = sustained ?? null;
  data.sustainedNote = ctx.quick ? 'quick run: only 200/s and 1000/s were tried' : 'highest offered rate tried at which the consumer lag did not grow';
  const tried = [200, 1000, ...Object.keys(ramp).map((k) => Number(k.slice(4)))];
  const keepUp = sustained !== undefined ? summarize([sustained], 'aspects/s', sustained) : summarize([], 'aspects/s');
  await floorStopped;
  const verdict = sustained !== undefined ? 'highest rate tried that kept up' : `none of ${Math.min(...tried)}-${Math.max(...tried)}/s kept up`;
  rows.push({ scenario: '2 settle', case: `sustained rate: ${verdict}${ctx.quick ? ' (coarse)' : ''}`, figure: keepUp });
  return { rows, data };
}

/** How a sample of the step's writes reads through the trace endpoint after the drain (settled ones: ACTIVE_STATE/ACTIVE_STATE). */
async function checkWithTraceEndpoint(ctx: Ctx, sent: { traceId: string; urns: string[] }[]): Promise<string> {
  let active = 0;
  let other = 0;
  for (const { traceId, urns: list } of sent.slice(0, 20)) {
    const reply = await trace(ctx.gms.url, traceId, JSON.stringify(Object.fromEntries(list.map((u) => [u, [ASPECT]]))));
    const body = JSON.parse(reply.body) as Record<string, Record<string, { primaryStorage: { writeStatus: string }; searchStorage: { writeStatus: string } }>>;
    for (const u of list) {
      const r = body[u]?.[ASPECT];
      if (r?.primaryStorage.writeStatus === 'ACTIVE_STATE' && r.searchStorage.writeStatus === 'ACTIVE_STATE') active++;
      else other++;
    }
  }
  return `${active} ACTIVE/ACTIVE, ${other} other`;
}
