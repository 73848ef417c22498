/**
 * `npm run bench [-- --quick] [-- --keep]`: the write-tracing benchmark on the real local stack.
 * Prints a table and writes bench/results/<date>.json (+ .svg chart, + .md table). See bench/README.md.
 * `--chart <file.json>` only redraws the chart of an existing results file; `--clean` only removes
 * what the bench leaves on the stack (after --keep, or an interrupted run); `--only clientWait` runs
 * scenario 7 alone (with --quick: a small check that it works).
 */
import { execSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { loadavg, tmpdir } from 'os';
import { join, relative } from 'path';
import { Partitioners } from 'kafkajs';
import { REPO_ROOT } from '../support/stack-env';
import { App } from './lib/apps';
import { appsOf, Ctx, memoryRows, peakRss, PeakRss, RSS_LIMIT_MIB, startGms, startMae, startMce, stopMae, stopMce, until } from './lib/context';
import { ENV, kafka, machine, NAMES, searchClient, sqlPool } from './lib/env';
import { closeHttp, post, trace, traceIdOf } from './lib/http';
import { ASPECT, RUN, serviceBody, urns } from './lib/payloads';
import { resetBenchState, Stack } from './lib/stack';
import { nowMs } from './lib/stats';
import { chartSvg } from './lib/svg';
import { markdownTable, Row, textTable } from './lib/table';
import { clientWait } from './scenarios/client-wait';
import { traceFlood } from './scenarios/trace-flood';
import { ingest, ingestScaled } from './scenarios/ingest';
import { settle, settleScaled } from './scenarios/settle';
import { traceFailed } from './scenarios/trace-failed';
import { traceLog } from './scenarios/trace-log';
import { tracePending } from './scenarios/trace-pending';
import { notActive, traceSettled } from './scenarios/trace-settled';

const RESULTS = join(__dirname, 'results');

/** The newest file under `dirs` that passes `test`: [path, mtime ms]. */
function newest(dirs: string[], test: (f: string) => boolean): [string, number] {
  let best: [string, number] = ['', 0];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (test(p)) {
        const m = statSync(p).mtimeMs;
        if (m > best[1]) best = [p, m];
      }
    }
  };
  dirs.filter(existsSync).forEach(walk);
  return best;
}

function tail(file: string, lines = 5): string {
  return readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((l) => l.slice(0, 300))
    .join('\n');
}

function distState() {
  if (!existsSync(join(REPO_ROOT, 'dist/apps/gms/src/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const [src, srcAt] = newest([join(REPO_ROOT, 'apps'), join(REPO_ROOT, 'libs')], (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
  const [, distAt] = newest([join(REPO_ROOT, 'dist')], (f) => f.endsWith('.js'));
  // What was built: the commit, and the sources changed since (the bench may run on a working tree).
  const git = (cmd: string) => {
    try {
      return execSync(`git ${cmd}`, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      return '';
    }
  };
  const uncommitted = git('status --porcelain -- apps libs').split('\n').filter(Boolean);
  return {
    builtAt: new Date(distAt).toISOString(),
    stale: srcAt > distAt,
    newestSource: relative(REPO_ROOT, src),
    commit: git('rev-parse --short HEAD'),
    uncommitted,
  };
}

async function connect(): Promise<Stack> {
  const k = kafka('bench');
  const admin = k.admin();
  // Configured like the service's producer (libs/kafka/src/kafka.client.ts).
  const producer = k.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  try {
    await Promise.all([admin.connect(), producer.connect()]);
  } catch (err) {
    throw new Error(`Kafka at ${ENV.KAFKA_BROKERS} is not answering (${String(err)}): start the stack with npm run stack:up`);
  }
  return { kafka: k, admin, producer, sql: sqlPool(), search: searchClient() };
}

async function versions(stack: Stack) {
  const [[rows], info] = await Promise.all([stack.sql.query('SELECT VERSION() AS v'), stack.search.info()]);
  return { mysql: (rows as { v: string }[])[0].v, opensearch: (info.body as { version: { number: string } }).version.number, kafkajs: '2.2.4' };
}

/** One write of 10 aspects through each gms, traced until settled: the pipeline is warm before the settle steps. */
async function warmUp(c: Ctx): Promise<void> {
  await Promise.all(
    c.gmsAll.map(async (g, k) => {
      const warm = urns(`warm${c.procs}p${k}`, 0, 10);
      const warmTrace = traceIdOf(await post(`${g.url}/openapi/v3/entity/dataset`, serviceBody(warm)));
      const body = JSON.stringify(Object.fromEntries(warm.map((u) => [u, [ASPECT]])));
      await until(async () => notActive((await trace(g.url, warmTrace, body)).body, warm) === 0, 60000, 'warm-up write settling');
    }),
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const chartOf = args.indexOf('--chart');
  if (chartOf >= 0) {
    const file = args[chartOf + 1];
    writeFileSync(file.replace(/\.json$/, '.svg'), chartSvg(JSON.parse(readFileSync(file, 'utf8'))));
    return;
  }
  if (args.includes('--clean')) {
    const stack = await connect();
    await resetBenchState(stack);
    await Promise.all([stack.producer.disconnect(), stack.admin.disconnect(), stack.sql.end(), stack.search.close()]);
    console.log('removed the bench topics, consumer groups, indices and SQL rows');
    return;
  }
  const quick = args.includes('--quick');
  const keep = args.includes('--keep');
  // Scenarios that need nothing but a running pipeline (gms and both consumers, one process each) can run alone.
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  if (only !== undefined && only !== 'clientWait') throw new Error(`--only ${only}: only clientWait runs alone`);
  const startedAt = new Date();
  const stamp =
    startedAt
      .toISOString()
      .replace(/:/g, '-')
      .replace(/\.\d+Z$/, 'Z') +
    (quick ? '-quick' : '') +
    (only ? `-${only}` : '');
  mkdirSync(RESULTS, { recursive: true });
  const logDir = mkdtempSync(join(tmpdir(), 'bench-logs-'));
  const log = (m: string) => console.log(`[${((nowMs() - t0) / 1000).toFixed(1).padStart(6)} s] ${m}`);
  const t0 = nowMs();

  const dist = distState();
  if (dist.stale)
    console.warn(
      `WARNING: dist/ (built ${dist.builtAt}) is older than ${dist.newestSource}: the bench measures the built code; run npm run build for current code`,
    );
  const stack = await connect();
  const results: Record<string, unknown> & { scenarios: Record<string, unknown> } = {
    startedAt: startedAt.toISOString(),
    mode: (quick ? 'quick' : 'full') + (only ? `, only ${only}` : ''),
    run: RUN,
    machine: machine(),
    stack: await versions(stack),
    dist,
    names: NAMES,
    logs: logDir,
    scenarios: {},
    durationsMs: {} as Record<string, number>,
  };
  const rows: Row[] = [];
  let ctx: Ctx | undefined;
  try {
    log(`mode ${results.mode}; app logs in ${logDir}`);
    await resetBenchState(stack);
    const scenario = async <T extends { rows: Row[] }>(key: string, title: string, work: () => Promise<T>): Promise<T> => {
      log(title);
      const s = nowMs();
      const out = await work();
      (results.durationsMs as Record<string, number>)[key] = Math.round(nowMs() - s);
      results.scenarios[key] = out;
      rows.push(...out.rows);
      return out;
    };
    if (only === 'clientWait') {
      log('bench topics, groups, indices and rows reset; starting gms and both consumers');
      const g = await startGms(logDir, 1);
      ctx = { quick, stack, logDir, gms: g.apps[0], gmsAll: g.apps, mce: [], mae: [], procs: 1, log };
      const c = ctx;
      await Promise.all([startMce(c), startMae(c)]);
      await warmUp(c);
      await scenario('clientWait', '7. a client waiting for its write: SDK-style polling vs the server wait', () => clientWait(c));
    } else {
      log('bench topics, groups, indices and rows reset; starting a gms for the ingest scenarios');
      const ingestGms = await startGms(logDir, 1, { TOPIC_MCP: NAMES.ingestMcp });
      ctx = { quick, stack, logDir, gms: ingestGms.apps[0], gmsAll: ingestGms.apps, mce: [], mae: [], procs: 1, log };
      const c = ctx;
      /** Peak RSS (VmHWM) of every process, taken right after the highest load of each phase. */
      const peaks: Record<string, PeakRss[]> = {};
      const useGms = (g: { apps: App[] }) => {
        c.gmsAll = g.apps;
        c.gms = g.apps[0];
      };

      await scenario('ingest', '1. async ingest vs bare producer', () => ingest(c));
      await scenario('traceLog', '6. ingest with and without X-Enable-Trace-Log', () => traceLog(c));
      peaks['ingest, 1 process'] = peakRss(c.gmsAll);
      await Promise.all(c.gmsAll.map((a) => a.stop()));
      c.procs = 2;
      const scaledGms = await startGms(logDir, c.procs, { TOPIC_MCP: NAMES.ingestMcp });
      useGms(scaledGms);
      log(`gms for ingest with ${c.procs} processes: ${scaledGms.mode}`);
      results.gmsScaledMode = scaledGms.mode;
      await scenario('ingestScaled', `1. async ingest, batch 100, ${c.procs} gms processes vs bare producer`, () => ingestScaled(c, scaledGms.mode));
      peaks[`ingest, ${c.procs} processes`] = peakRss(c.gmsAll);
      log('starting gms and the MAE consumer');
      await Promise.all(c.gmsAll.map((a) => a.stop()));
      c.procs = 1;
      const [gms1] = await Promise.all([startGms(logDir, 1), startMae(c)]);
      useGms(gms1);
      // Scenario 5 first, while the MCP topic holds nothing but its own filler; it leaves the MCE consumer running.
      await scenario('traceFailed', '5. detailed trace of failed writes at 10k and 100k other messages', () => traceFailed(c));
      await warmUp(c);
      const settled1 = await scenario('settle', '2. end-to-end settle time and sustained rate (service and floor)', () => settle(c));
      peaks['settle ramp, 1 process each'] = peakRss(appsOf(c));
      const settled = await scenario('traceSettled', '3. trace of settled writes vs SQL query + mget', () => traceSettled(c));
      await scenario('traceFlood', '8. trace of a settled write under a flood of Kafka-bound traces', () =>
        traceFlood(c, { traceId: String(settled.data.traceId) }),
      );
      await scenario('clientWait', '7. a client waiting for its write: SDK-style polling vs the server wait', () => clientWait(c));
      await scenario('tracePending', '4. trace of pending writes (MCE consumer stopped)', () =>
        tracePending(c, { traceId: String(settled.data.traceId), urns: urns('s3', 0, 1000) }),
      );

      log('restarting with 2 processes of each kind');
      // Stopping takes seconds (a consumer waits for its fetch, gms for its trace readers): the new gms and MCE
      // consumers (scenario 4 stopped the old one) start meanwhile; the new MAE consumers once the old one has
      // left its group, so the group is theirs alone.
      const gmsStopped = Promise.all(c.gmsAll.map((a) => a.stop()));
      const maeStopped = stopMae(c);
      await stopMce(c);
      c.procs = 2;
      try {
        const [gms2] = await Promise.all([startGms(logDir, c.procs), startMce(c), maeStopped.then(() => startMae(c))]);
        useGms(gms2);
        log(`gms with ${c.procs} processes: ${gms2.mode}`);
      } finally {
        await Promise.all([gmsStopped, maeStopped]);
      }
      await warmUp(c);
      const one = settled1.data as { sustainedAspectsPerSec: { service: number | null; floor: number | null }; topReached: { floor: boolean } };
      await scenario('settleScaled', `2. sustained rate with ${c.procs} processes of each kind`, () =>
        settleScaled(c, one.sustainedAspectsPerSec.service ?? 200, one.sustainedAspectsPerSec.floor, one.topReached.floor),
      );
      peaks[`settle ramp, ${c.procs} processes each`] = peakRss(appsOf(c));
      results.memory = { unit: 'MiB (VmHWM, per process)', limitMiB: RSS_LIMIT_MIB, peaks };
      for (const [when, list] of Object.entries(peaks)) rows.push(...memoryRows(when, list));
    }
  } catch (err) {
    // An app that died under us (crash, or a signal from outside the bench) is the likelier story than the request error.
    const dead = (ctx ? appsOf(ctx) : []).filter((a) => a.exitCode !== null);
    const why = dead.map((a) => `${a.name} (pid ${a.pid}) exited with ${a.exitCode}; last lines of ${a.logFile}:\n${tail(a.logFile)}`).join('\n');
    results.error = `${err instanceof Error ? err.stack : String(err)}${why ? `\n${why}` : ''}`;
    console.error(results.error);
    process.exitCode = 1;
  } finally {
    await Promise.all((ctx ? appsOf(ctx) : []).map((a) => a.stop()));
    if (!keep) await resetBenchState(stack).catch((err) => console.warn(`cleanup failed: ${String(err)}`));
    results.machine = { ...(results.machine as object), loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) };
    results.totalMs = Math.round(nowMs() - t0);
    // Rows grouped by scenario, in the order each first appears (the multi-process settle row joins scenario 2's).
    const order = [...new Set(rows.map((r) => r.scenario))];
    rows.sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
    results.rows = rows;
    await Promise.all([stack.producer.disconnect(), stack.admin.disconnect(), stack.sql.end(), stack.search.close()]).catch(() => undefined);
    closeHttp();
  }

  const file = join(RESULTS, `${stamp}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  if (!results.error) writeFileSync(file.replace(/\.json$/, '.svg'), chartSvg(results as unknown as Parameters<typeof chartSvg>[0]));
  writeFileSync(file.replace(/\.json$/, '.md'), markdownTable(rows) + '\n');
  console.log(`\n${textTable(rows)}\n`);
  console.log(`total ${(Number(results.totalMs) / 1000).toFixed(0)} s; results: ${relative(process.cwd(), file)} (+ .svg, .md)`);
}

void main();
