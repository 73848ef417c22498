import { closeSync, openSync, readSync, statSync } from 'fs';
import { App, AppName, cpuSecondsOf, gmsWorkersSupported, stackProcesses } from './apps';
import { Reply, trace, traceIdOf } from './http';
import { NAMES } from './env';
import { lagOf, moveGroupToEnd, Stack, waitGroupStable } from './stack';
import { Row } from './table';
import { nowMs, sleep, summarize } from './stats';

export interface Ctx {
  quick: boolean;
  stack: Stack;
  logDir: string;
  /** The gms trace requests go to (the first, when there are several). */
  gms: App;
  /** Every gms process the bench started: one (with GMS_WORKERS=1 or =2), or two when the build has no GMS_WORKERS. */
  gmsAll: App[];
  mce: App[];
  mae: App[];
  /** Processes of each kind: 1, or 2 for the multi-process figures. */
  procs: number;
  log: (message: string) => void;
}

export interface ScenarioResult {
  rows: Row[];
  data: Record<string, unknown>;
}

/** Every app process of the context. */
export const appsOf = (ctx: Ctx): App[] => [...ctx.gmsAll, ...ctx.mce, ...ctx.mae];

/** The gms to send request `seq` to: the load is spread round-robin when there are several gms processes. */
export const gmsUrl = (ctx: Ctx, seq: number): string => ctx.gmsAll[seq % ctx.gmsAll.length].url;

const labelOf = (name: AppName, k: number, of: number) => (of > 1 ? `${name}#${k + 1}` : name);

/**
 * Starts gms as `procs` processes' worth: GMS_WORKERS=1 for one; for two, GMS_WORKERS=2 when the build
 * supports it (cluster mode: one port, the primary hands connections to its workers), else two gms
 * processes on two ports.
 */
export async function startGms(logDir: string, procs: number, extra: Record<string, string> = {}): Promise<{ apps: App[]; mode: string }> {
  if (procs === 1) return { apps: [await App.start('gms', logDir, { GMS_WORKERS: '1', ...extra })], mode: 'one process, GMS_WORKERS=1' };
  if (gmsWorkersSupported()) {
    const app = await App.start('gms', logDir, { GMS_WORKERS: String(procs), ...extra });
    return { apps: [app], mode: `GMS_WORKERS=${procs} (cluster mode: one port)` };
  }
  // Started at once: the bench starts a one-process gms on the same topics first, so their setup finds them all there.
  const apps = await Promise.all(Array.from({ length: procs }, (_, k) => App.start('gms', logDir, { GMS_WORKERS: '1', ...extra }, labelOf('gms', k, procs))));
  return { apps, mode: `${procs} gms processes on ${procs} ports (this build has no GMS_WORKERS), requests spread round-robin` };
}

async function startConsumers(ctx: Ctx, name: 'mce-consumer' | 'mae-consumer', group: string): Promise<App[]> {
  const apps = await Promise.all(Array.from({ length: ctx.procs }, (_, k) => App.start(name, ctx.logDir, {}, labelOf(name, k, ctx.procs))));
  await waitGroupStable(ctx.stack.admin, group, ctx.procs);
  return apps;
}

export async function startMce(ctx: Ctx): Promise<void> {
  ctx.mce = await startConsumers(ctx, 'mce-consumer', NAMES.mceGroup);
}

export async function startMae(ctx: Ctx): Promise<void> {
  ctx.mae = await startConsumers(ctx, 'mae-consumer', NAMES.maeGroup);
}

export async function stopMce(ctx: Ctx): Promise<void> {
  await Promise.all(ctx.mce.map((a) => a.stop()));
  ctx.mce = [];
}

export async function stopMae(ctx: Ctx): Promise<void> {
  await Promise.all(ctx.mae.map((a) => a.stop()));
  ctx.mae = [];
}

export interface PeakRss {
  label: string;
  pid: number;
  role: 'main' | 'worker';
  peakRssMiB: number;
}

/** VmHWM of every process of these apps (a gms with workers: its primary and each worker), in MiB. */
export function peakRss(apps: App[]): PeakRss[] {
  return apps.flatMap((a) => a.processes().map((p) => ({ label: a.label, pid: p.pid, role: p.role, peakRssMiB: Math.round(p.peakRssBytes / 2 ** 20) })));
}

export const RSS_LIMIT_MIB = 512;

/** One row per kind of app: the largest VmHWM of its processes as the figure, each process listed in the case, flagged above 512 MiB. */
export function memoryRows(when: string, peaks: PeakRss[]): Row[] {
  const kinds = [...new Set(peaks.map((p) => p.label.replace(/#\d+$/, '')))];
  return kinds.map((kind) => {
    const mine = peaks.filter((p) => p.label.replace(/#\d+$/, '') === kind);
    const max = Math.max(...mine.map((p) => p.peakRssMiB));
    const workers = mine.some((p) => p.role === 'worker');
    const name = (p: PeakRss) => (workers ? `${p.role} ` : mine.length > 1 ? `${p.label} ` : '');
    const list = mine.map((p) => `${name(p)}${p.peakRssMiB}`).join(', ');
    return {
      scenario: 'memory',
      case: `${kind} peak RSS, ${when}${mine.length > 1 ? ` (${list})` : ''}`,
      figure: summarize(
        mine.map((p) => p.peakRssMiB),
        'MiB',
        max,
      ),
      target: `<= ${RSS_LIMIT_MIB} MiB each`,
      met: max <= RSS_LIMIT_MIB,
    };
  });
}

/** CPU used by an app and by the bench process over the spans of time between start() and stop(), in % of one core. */
export class CpuMeter {
  private app = 0;
  private bench = 0;
  private wall = 0;
  private mark?: [number, NodeJS.CpuUsage, number];

  constructor(private readonly targets: App[]) {}

  private appSeconds(): number {
    return this.targets.reduce((sum, a) => sum + a.cpuSeconds(), 0);
  }

  start(): void {
    this.mark = [this.appSeconds(), process.cpuUsage(), nowMs()];
  }

  stop(): void {
    const [a0, b0, t0] = this.mark!;
    const b = process.cpuUsage(b0);
    this.app += this.appSeconds() - a0;
    this.bench += (b.user + b.system) / 1e6;
    this.wall += (nowMs() - t0) / 1000;
  }

  async during<T>(work: () => Promise<T>): Promise<T> {
    this.start();
    try {
      return await work();
    } finally {
      this.stop();
    }
  }

  percent(): { service: number; bench: number } {
    return { service: Math.round((this.app / this.wall) * 100), bench: Math.round((this.bench / this.wall) * 100) };
  }
}

/**
 * From now on, the CPU of every app process of the context, of the stack's processes (which others may
 * share) and of the bench itself; the answer reads it: % of one core since the call, by label.
 */
export function cpuSince(ctx: Ctx): () => Record<string, number> {
  const meters: { label: string; seconds: () => number }[] = [
    ...appsOf(ctx).map((a) => ({ label: a.label, seconds: () => a.cpuSeconds() })),
    ...stackProcesses().map((p) => ({ label: p.name, seconds: () => cpuSecondsOf(p.pid) })),
  ];
  const cpu0 = meters.map((m) => m.seconds());
  const bench0 = process.cpuUsage();
  const t0 = nowMs();
  return () => {
    const seconds = (nowMs() - t0) / 1000;
    const cpu: Record<string, number> = Object.fromEntries(meters.map((m, i) => [m.label, Math.round(((m.seconds() - cpu0[i]) / seconds) * 100)]));
    const b = process.cpuUsage(bench0);
    cpu.bench = Math.round(((b.user + b.system) / 1e6 / seconds) * 100);
    return cpu;
  };
}

/**
 * Samples the RSS of apps (summed over all their processes) every 250 ms while `work` runs; answers the
 * work's result and the samples' figure (MiB, overall = the sum of their VmHWM).
 */
export async function withRss<T>(apps: App[], work: () => Promise<T>) {
  const samples: number[] = [];
  const sum = (key: 'rssBytes' | 'peakRssBytes') => apps.reduce((s, a) => s + a.memory()[key], 0);
  const timer = setInterval(() => samples.push(sum('rssBytes') / 2 ** 20), 250);
  try {
    const result = await work();
    const peakRssBytes = sum('peakRssBytes');
    return { result, rss: summarize(samples, 'MiB', peakRssBytes / 2 ** 20) };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Waits until the consumers have nothing left to do (MCE lag on the MCP topic and MAE lag on the MCL
 * topic both 0). When they do not get there within `ms`, the backlog is dropped - the consumer that is
 * behind is stopped (all its processes), its group moved to the end of its topic, and restarted - so the next measurement
 * starts from an idle pipeline; the answer says how many messages were dropped.
 */
export async function drainOrDrop(ctx: Ctx, ms: number): Promise<{ waitedMs: number; dropped?: { mcp: number; mcl: number } }> {
  const t0 = nowMs();
  const lags = async () => ({ mcp: await lagOf(ctx.stack.admin, NAMES.mceGroup, NAMES.mcp), mcl: await lagOf(ctx.stack.admin, NAMES.maeGroup, NAMES.mcl) });
  let lag = await lags();
  while (lag.mcp + lag.mcl > 0 && nowMs() - t0 < ms) {
    await sleep(250);
    lag = await lags();
  }
  if (lag.mcp + lag.mcl === 0) return { waitedMs: Math.round(nowMs() - t0) };
  ctx.log(`  consumers did not drain within ${ms} ms (MCE lag ${lag.mcp}, MAE lag ${lag.mcl}): dropping the backlog and restarting them`);
  const t1 = nowMs();
  if (lag.mcp > 0) {
    await stopMce(ctx);
    await moveGroupToEnd(ctx.stack.admin, NAMES.mceGroup, NAMES.mcp);
  }
  if (lag.mcl > 0) {
    await stopMae(ctx);
    await moveGroupToEnd(ctx.stack.admin, NAMES.maeGroup, NAMES.mcl);
  }
  const t2 = nowMs();
  await Promise.all([lag.mcp > 0 ? startMce(ctx) : undefined, lag.mcl > 0 ? startMae(ctx) : undefined]);
  ctx.log(`  dropped: stopping took ${Math.round(t2 - t1)} ms, restarting ${Math.round(nowMs() - t2)} ms`);
  return { waitedMs: Math.round(t1 - t0), dropped: lag };
}

/** Polls `probe` until it answers true (bounded). */
export async function until(probe: () => Promise<boolean>, ms: number, what: string): Promise<number> {
  const t0 = nowMs();
  while (nowMs() - t0 < ms) {
    if (await probe().catch(() => false)) return nowMs() - t0;
    await sleep(100);
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

/**
 * Where the time of one trace request goes: the request is sent again with X-Enable-Trace-Log, and the
 * spans the service logged for it (trace-semantics.md section 6) are read back from its log.
 */
export async function spanBreakdown(app: App, traceId: string, body: string, flags: Record<string, boolean>): Promise<{ totalMs: number; spans: string[] }> {
  const offset = statSync(app.logFile).size;
  const t0 = nowMs();
  const reply: Reply = await trace(app.url, traceId, body, flags, { 'X-Enable-Trace-Log': 'true' });
  const totalMs = Math.round((nowMs() - t0) * 100) / 100;
  await sleep(300);
  const line = new RegExp(`Trace: ${traceIdOf(reply)}, SpanId: \\w+, ParentId: \\w+, Name: (.*), Duration: ([\\d.]+) ms`);
  const spans = linesSince(app.logFile, offset)
    .map((l) => line.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}: ${m[2]} ms`);
  return { totalMs, spans };
}

/** Lines of `file` from byte `from` on that match each pattern: what a consumer logged during a step. */
export function countInLog(file: string, from: number, patterns: Record<string, RegExp>): Record<string, number> {
  const lines = linesSince(file, from);
  return Object.fromEntries(Object.entries(patterns).map(([k, re]) => [k, lines.filter((l) => re.test(l)).length]));
}

/** The lines appended to `file` since byte `from` (at most the last 64 MiB of them). */
function linesSince(file: string, from: number): string[] {
  const size = Math.max(0, statSync(file).size - from);
  const buffer = Buffer.alloc(Math.min(size, 64 * 2 ** 20));
  const fd = openSync(file, 'r');
  readSync(fd, buffer, 0, buffer.length, from + size - buffer.length);
  closeSync(fd);
  return buffer.toString('utf8').split('\n');
}
