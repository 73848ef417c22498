import { cpuSince, Ctx, drainOrDrop, ScenarioResult } from '../lib/context';
import { NAMES } from '../lib/env';
import { post, trace, traceIdOf } from '../lib/http';
import { openLoop, OpenLoopResult } from '../lib/load';
import { ASPECT, serviceBody, urns } from '../lib/payloads';
import { SettlePoller } from '../lib/settle-poller';
import { Figure, nowMs, round, sleep, summarize } from '../lib/stats';
import { Row } from '../lib/table';

/**
 * The SDK's wait loop, acryl-datahub 1.7.0.17 (test/compat/requirements.txt), datahub/emitter/rest_emitter.py
 * `_await_status`: TRACE_INITIAL_BACKOFF 1.0 s, TRACE_BACKOFF_FACTOR 2.0, TRACE_MAX_BACKOFF 300 s; the backoff is
 * doubled before each sleep, so the sleeps after PENDING answers are 2 s, 4 s, 8 s, ...
 */
export const SDK_BACKOFF = { initialMs: 1000, factor: 2, maxMs: 300000 };
/** The server wait the second client asks for: the service's default (TRACE_DEFAULT_WAIT_MS), which the SDK gets without asking. */
export const WAIT_MS = 5000;
/** A client loop still open this long after its write gives up; it counts with its time so far (a lower bound). */
const GIVE_UP_MS = 30000;
const RATE = 200;
const BATCH = 10;
const BIG_BATCH = 100;

type Body = Record<string, Record<string, { success: boolean; primaryStorage: { writeStatus: string }; searchStorage: { writeStatus: string } }>>;

/** How one client's wait for one write went. */
interface Waited {
  /** From the write's request start until the loop saw nothing PENDING (or gave up). */
  ms: number;
  traces: number;
  /** Trace answers with a pair still PENDING. */
  pendingAnswers: number;
  /** Pairs whose last state was not ACTIVE_STATE/ACTIVE_STATE (or success false: the SDK raises). */
  notActive: number;
  gaveUp: boolean;
}

/**
 * The SDK's `_await_status`, request for request: trace the pairs still open (onlyIncludeErrors=false,
 * detailed=true); drop each pair neither of whose stores is PENDING; while any is left, sleep 2 s, 4 s, ...
 * and trace again. `waitMs` is the trace's own: 0 answers at once (the SDK against a server without the
 * wait, as DataHub's), WAIT_MS holds a PENDING answer until it settles (the SDK against ours: with the
 * write settled within the wait, one request).
 */
async function sdkWait(base: string, traceId: string, list: string[], waitMs: number, startedAt: number): Promise<Waited> {
  const open = new Set(list);
  const out: Waited = { ms: 0, traces: 0, pendingAnswers: 0, notActive: 0, gaveUp: false };
  let backoff = SDK_BACKOFF.initialMs;
  for (;;) {
    if (nowMs() - startedAt > GIVE_UP_MS) {
      out.gaveUp = true;
      break;
    }
    const reply = await trace(base, traceId, JSON.stringify(Object.fromEntries([...open].map((u) => [u, [ASPECT]]))), { detailed: true, waitMs });
    out.traces++;
    if (reply.status !== 200) {
      out.notActive += open.size;
      break;
    }
    const body = JSON.parse(reply.body) as Body;
    let failed = false;
    for (const urn of [...open]) {
      const s = body[urn]?.[ASPECT];
      if (!s) continue; // not in the answer: the SDK keeps asking for it
      if (!s.success) failed = true; // the SDK raises TraceValidationError
      const [p, q] = [s.primaryStorage.writeStatus, s.searchStorage.writeStatus];
      if (p !== 'PENDING' && q !== 'PENDING') {
        open.delete(urn);
        if (p !== 'ACTIVE_STATE' || q !== 'ACTIVE_STATE') out.notActive++;
      }
    }
    if (failed) {
      out.notActive += open.size;
      break;
    }
    if (open.size === 0) break;
    out.pendingAnswers++;
    backoff = Math.min(backoff * SDK_BACKOFF.factor, SDK_BACKOFF.maxMs);
    await sleep(backoff);
  }
  out.ms = nowMs() - startedAt;
  return out;
}

/** Who follows each write of a phase: nobody (the settle floor), SDK-style polling (waitMs=0), or the same loop with the server wait. */
type Client = 'none' | 'polling' | 'serverWait';
const CLIENTS: Client[] = ['none', 'polling', 'serverWait'];

/** One write: its settle time and, unless nobody followed it, its client's wait. */
interface Followed {
  /** From the request start until every aspect of the write settled (SettlePoller, as scenario 2 measures it). */
  settleMs: number;
  /** The write's 202: when its client sends its first trace. */
  acceptedMs: number;
  waited?: Waited;
}

/** A write accepted, its client running, and its settle time once every aspect settled (or was censored). */
interface Following {
  acceptedMs: number;
  waited: Promise<Waited | undefined>;
  settled: Promise<number>;
}

/** Writes `list` (one request), then runs `client` on it while `poller` watches it settle. Undefined: not accepted. */
async function writeAndFollow(ctx: Ctx, poller: SettlePoller, client: Client, list: string[], offset: number): Promise<Following | undefined> {
  const startedAt = nowMs();
  const reply = await post(`${ctx.gms.url}/openapi/v3/entity/dataset`, serviceBody(list, offset));
  if (reply.status !== 202) return undefined;
  const acceptedMs = nowMs() - startedAt;
  const traceId = traceIdOf(reply);
  let left = list.length;
  let last = 0;
  const settled = new Promise<number>((resolve) => {
    for (const urn of list)
      poller.track(urn, ASPECT, traceId, startedAt, (ms) => {
        last = Math.max(last, ms);
        if (--left === 0) resolve(last);
      });
  });
  const waited = client === 'none' ? Promise.resolve(undefined) : sdkWait(ctx.gms.url, traceId, list, client === 'polling' ? 0 : WAIT_MS, startedAt);
  return { acceptedMs, waited, settled };
}

/** Waits for the clients of these writes, then for the poller (writes still open after `drainMs` count with their time so far). */
async function collect(poller: SettlePoller, writes: Following[], drainMs: number): Promise<Followed[]> {
  const waited = await Promise.all(writes.map((w) => w.waited));
  await poller.drain(drainMs);
  poller.censor();
  const settled = await Promise.all(writes.map((w) => w.settled));
  return waited.map((w, i) => ({ settleMs: settled[i], acceptedMs: writes[i].acceptedMs, ...(w ? { waited: w } : {}) }));
}

/** What one phase measured: the writes' settle times, and their client's waits. */
interface Phase {
  writes: number;
  /** The settle time of this phase's writes: with a client, how much its traces slowed the service. */
  settle: Figure;
  /** The writes' 202s (ms from the request start). */
  accepted: Figure;
  waited?: Figure;
  /** Writes already settled when their client sent its first trace (after the 202): its wait could not be shorter than the 202 plus one trace. */
  settledBeforeFirstTrace?: number;
  /** Per write, the client's time over the write's own settle time. */
  perWriteRatio?: Figure;
  /** Per write, how long after it settled its client knew (ms; negative: the client's answer came before the poller saw it). */
  lateBy?: Figure;
  tracesPerWrite?: number;
  /** Trace answers the client got with a pair still PENDING. */
  pendingAnswers?: number;
  notActivePairs?: number;
  gaveUp?: number;
  load?: OpenLoopResult;
  cpu?: Record<string, number>;
}

function phaseOf(all: Followed[]): Phase {
  const settle = summarize(
    all.map((f) => f.settleMs),
    'ms',
  );
  const w = all.filter((f) => f.waited).map((f) => ({ ...f.waited!, settleMs: f.settleMs, acceptedMs: f.acceptedMs }));
  const accepted = summarize(
    all.map((f) => f.acceptedMs),
    'ms',
  );
  if (w.length === 0) return { writes: all.length, settle, accepted };
  const sum = (f: (x: Waited) => number) => w.reduce((s, x) => s + f(x), 0);
  return {
    writes: all.length,
    settle,
    accepted,
    settledBeforeFirstTrace: w.filter((x) => x.settleMs <= x.acceptedMs).length,
    waited: summarize(
      w.map((x) => x.ms),
      'ms',
    ),
    perWriteRatio: summarize(
      w.map((x) => x.ms / x.settleMs),
      'x',
    ),
    lateBy: summarize(
      w.map((x) => x.ms - x.settleMs),
      'ms',
    ),
    tracesPerWrite: round(sum((x) => x.traces) / w.length, 2),
    pendingAnswers: sum((x) => x.pendingAnswers),
    notActivePairs: sum((x) => x.notActive),
    gaveUp: sum((x) => (x.gaveUp ? 1 : 0)),
  };
}

const TARGET = 1.5;

/** The two rows of a load: each client's wait beside the settle time of the phase nobody waited in (the floor). */
function rows(what: string, phases: Record<Client, Phase>): Row[] {
  const floor = phases.none.settle;
  const ratio = (f: Figure, q: 'median' | 'p99') => round(f[q] / floor[q], 2);
  return (['polling', 'serverWait'] as const).map((client) => {
    const p = phases[client];
    const notes = [
      `${p.tracesPerWrite} traces/write`,
      `p99 ${ratio(p.waited!, 'p99')}x`,
      `settle meanwhile: median ${Math.round(p.settle.median)}, p99 ${Math.round(p.settle.p99)} ms`,
      `202 p99 ${Math.round(p.accepted.p99)} ms`,
      ...(p.notActivePairs ? [`${p.notActivePairs} pairs not ACTIVE!`] : []),
      ...(p.gaveUp ? [`${p.gaveUp} gave up after ${GIVE_UP_MS / 1000} s`] : []),
    ].join('; ');
    const row: Row = {
      scenario: '7 client wait',
      case:
        client === 'polling'
          ? `${what}: SDK-style polling, trace waitMs=0, sleep 2 s, 4 s, ... (${notes})`
          : `${what}: server wait, the same loop with waitMs=${WAIT_MS} (${notes})`,
      figure: p.waited!,
      floor,
      ratio: ratio(p.waited!, 'median'),
      ratioOf: 'median vs settle',
    };
    if (client === 'serverWait') {
      row.target = `median, p99 <= ${TARGET}x settle`;
      row.met = ratio(p.waited!, 'median') <= TARGET && ratio(p.waited!, 'p99') <= TARGET && !p.notActivePairs && !p.gaveUp;
    }
    return row;
  });
}

function logPhase(ctx: Ctx, what: string, client: Client, p: Phase): void {
  const load = `; 202 median ${p.accepted.median} ms p99 ${p.accepted.p99}${p.load ? `, sent ${p.load.sentPerSec}/s` : ''}`;
  const cpu = p.cpu ? `; CPU ${JSON.stringify(p.cpu)}` : '';
  const waited = p.waited
    ? `; waited median ${p.waited.median} ms p99 ${p.waited.p99}, after settling median ${p.lateBy!.median} ms p99 ${p.lateBy!.p99} (${p.tracesPerWrite} traces/write, ${p.pendingAnswers} PENDING answers, ${p.settledBeforeFirstTrace} writes settled before their first trace${p.notActivePairs ? `, ${p.notActivePairs} pairs not ACTIVE!` : ''})`
    : '';
  ctx.log(
    `  ${what}, ${client === 'none' ? 'no client' : client}: ${p.writes} writes; settle median ${p.settle.median} ms p99 ${p.settle.p99}${waited}${load}${cpu}`,
  );
}

/**
 * Scenario 7: a client that waits for its write, as DataHub's SDK does with ASYNC_WAIT: its own wait loop
 * (sdkWait) whose traces answer at once (waitMs=0: PENDING, then a 2 s sleep - the SDK against a server
 * without the wait, as DataHub's), and the same loop with the server wait (waitMs=5000, our default: what
 * the SDK gets from us). Each wait is timed from the write's request start until the loop saw nothing
 * PENDING. The floor is the settle time from the same start of writes nobody waits on (every aspect's
 * system-metadata document carries the trace id: SettlePoller, as scenario 2 measures it): no client can
 * know before that. The clients run in phases of their own after the floor's, the same load each, so
 * that what one client's traces cost the service is not charged to the other; each phase's own settle
 * time is recorded too. Two loads: batches of 10 at 200 aspects/s (open loop, as scenario 2's 200/s
 * step), and batches of 100 one at a time (what emit_mcps of 100 aspects sends: one request, one trace;
 * the figure behind the SDK compat test's bound for it).
 */
export async function clientWait(ctx: Ctx): Promise<ScenarioResult> {
  const loadMs = ctx.quick ? 3000 : 10000;
  const bigWrites = ctx.quick ? 3 : 8;
  /** After the clients are done, how long the poller may still take to see their writes settled (it polls every 20 ms). */
  const drainMs = 5000;
  const idleMs = ctx.quick ? 3000 : 30000;
  const poller = new SettlePoller(ctx.stack.search, NAMES.systemMetadataIndex);
  poller.start();
  const steady = {} as Record<Client, Phase>;
  const batch100 = {} as Record<Client, Phase>;
  const before: Record<string, unknown> = {};
  try {
    for (const client of CLIENTS) {
      before[`steady_${client}`] = await drainOrDrop(ctx, idleMs);
      const writes: Following[] = [];
      const cpuOf = cpuSince(ctx);
      const load = await openLoop(RATE, BATCH, loadMs, async (seq) => {
        const w = await writeAndFollow(ctx, poller, client, urns(`s7${client[0]}`, seq * BATCH, BATCH), seq * BATCH);
        if (w) writes.push(w);
        return w !== undefined;
      });
      const followed = await collect(poller, writes, drainMs);
      // From the first write until the last client saw its write settled.
      steady[client] = { ...phaseOf(followed), load, cpu: cpuOf() };
      logPhase(ctx, `${RATE} aspects/s, batches of ${BATCH}`, client, steady[client]);
    }
    for (const client of CLIENTS) {
      before[`batch100_${client}`] = await drainOrDrop(ctx, idleMs);
      const followed: Followed[] = [];
      for (let i = 0; i < bigWrites; i++) {
        const w = await writeAndFollow(ctx, poller, client, urns(`s7b${client[0]}`, i * BIG_BATCH, BIG_BATCH), i * BIG_BATCH);
        if (!w) throw new Error(`a write of ${BIG_BATCH} aspects was not accepted`);
        followed.push(...(await collect(poller, [w], drainMs)));
      }
      batch100[client] = phaseOf(followed);
      logPhase(ctx, `batches of ${BIG_BATCH}, one at a time`, client, batch100[client]);
    }
  } finally {
    await poller.stop();
  }
  return {
    rows: [...rows(`${RATE} aspects/s, batches of ${BATCH}`, steady), ...rows(`batch of ${BIG_BATCH}, one at a time`, batch100)],
    data: {
      sdkBackoff: SDK_BACKOFF,
      waitMs: WAIT_MS,
      giveUpMs: GIVE_UP_MS,
      before,
      // For the chart: each client's wait and the floor, per load.
      steady: {
        rate: RATE,
        batch: BATCH,
        loadMs,
        settle: steady.none.settle,
        polling: steady.polling.waited,
        serverWait: steady.serverWait.waited,
        phases: steady,
      },
      batch100: {
        batch: BIG_BATCH,
        writes: bigWrites,
        settle: batch100.none.settle,
        polling: batch100.polling.waited,
        serverWait: batch100.serverWait.waited,
        phases: batch100,
      },
    },
  };
}
