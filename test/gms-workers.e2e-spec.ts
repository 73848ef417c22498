import { request as httpRequest } from 'http';
import { createServer, Server } from 'net';
import { AppProcess, freePort } from './support/app-process';
import { eventually } from './support/poll';
import { states, traceIdOf, traceWrite } from './support/trace-client';

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const urnOf = (name: string) => `urn:li:dataset:(urn:li:dataPlatform:hive,workers_${run}.${name},PROD)`;
const enc = encodeURIComponent;

interface Answer {
  status: number;
  servedBy: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * One request on a connection of its own: the cluster hands out connections, not requests, in turn, so
 * a kept-alive connection would always reach the same worker.
 */
function send(url: string, method = 'GET', body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      url,
      { method, agent: false, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, servedBy: res.headers['x-served-by'] as string | undefined, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The value of a sample of a Prometheus exposition, matching `labels` exactly as written. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('gms on several cores: GMS_WORKERS=2 on the real stack', () => {
  let gms: AppProcess;
  let mce: AppProcess;
  let mae: AppProcess;
  let workers: string[] = [];

  beforeAll(async () => {
    // Production's layout: the consumers are processes of their own.
    [gms, mce, mae] = await Promise.all([AppProcess.start('gms', { GMS_WORKERS: '2' }), AppProcess.start('mce-consumer'), AppProcess.start('mae-consumer')]);
    await Promise.all([gms.waitHealthy(), mce.waitHealthy(), mae.waitHealthy()]);
    // Both workers answer health once each has listened.
    const seen = await eventually(
      async () =>
        new Set((await Promise.all(Array.from({ length: 6 }, () => send(`${gms.url}/health`)))).filter((a) => a.status === 200).map((a) => a.servedBy)),
      (s) => s.size === 2,
      60000,
      300,
    );
    workers = [...seen] as string[];
  });

  afterAll(async () => {
    await Promise.all([gms?.stop('SIGKILL'), mce?.stop(), mae?.stop()]);
  });

  it('serves requests from two worker processes, neither of them the primary, in turn', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 10; i++) answers.push(await send(`${gms.url}/health/live`));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    const pids = new Set(answers.map((a) => a.servedBy));
    expect([...pids].sort()).toEqual([...workers].sort());
    expect(pids.has(String(gms.pid))).toBe(false);
    for (const pid of pids) expect(Number(pid)).toBeGreaterThan(0);
    // Each worker's own output carries its pid: the log lines of a request are found by the header.
    for (const pid of pids) expect(gms.output).toContain(`[Nest] ${pid} `);
    expect(gms.output).toContain(`primary pid ${gms.pid}: starting 2 workers`);
  });

  it('takes async writes on both workers, and each traces to ACTIVE_STATE in SQL and OpenSearch', async () => {
    const urns = Array.from({ length: 6 }, (_, i) => urnOf(`w${i}`));
    const writes: Answer[] = [];
    for (const urn of urns) writes.push(await send(`${gms.url}/openapi/v3/entity/dataset`, 'POST', [{ urn, status: { value: { removed: false } } }]));
    expect(writes.map((w) => w.status)).toEqual(Array(urns.length).fill(202));
    expect(new Set(writes.map((w) => w.servedBy)).size).toBe(2);
    await Promise.all(
      urns.map((urn, i) =>
        eventually(
          () => traceWrite(gms.url, traceIdOf(writes[i].headers.traceparent as string), { [urn]: ['status'] }),
          (r) => r.status === 200 && states(r.body, urn, 'status') === 'ACTIVE_STATE/ACTIVE_STATE',
          60000,
          300,
        ),
      ),
    );
  });

  it('answers /metrics from any worker with the whole cluster: a counter reflects the requests of both', async () => {
    const series = 'http_request_duration_seconds_count{method="GET",route="/health/live",status="200"}';
    const before = await send(`${gms.url}/metrics`);
    expect(before.status).toBe(200);
    const base = sample(before.text, series) ?? 0;
    const n = 20;
    const answers: Answer[] = [];
    for (let i = 0; i < n; i++) answers.push(await send(`${gms.url}/health/live`));
    expect(new Set(answers.map((a) => a.servedBy)).size).toBe(2);
    // Two scrapes, one answered by each worker, both see all n.
    const scrapes = [await send(`${gms.url}/metrics`), await send(`${gms.url}/metrics`)];
    expect(new Set(scrapes.map((s) => s.servedBy)).size).toBe(2);
    for (const scrape of scrapes) {
      expect(scrape.status).toBe(200);
      expect(scrape.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(sample(scrape.text, series)).toBe(base + n);
      // One series per label set (aggregated, not one per worker), and the process metrics of both workers.
      expect(scrape.text.split('\n').filter((l) => l.startsWith(`${series} `))).toHaveLength(1);
      expect(sample(scrape.text, 'trace_offset_cache_total{result="hit"}')).toBeGreaterThanOrEqual(0);
      expect(sample(scrape.text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    }
  });

  it('replaces a worker killed with SIGKILL, and keeps answering meanwhile', async () => {
    const [victim, survivor] = workers;
    process.kill(Number(victim), 'SIGKILL');
    await eventually(
      async () => gms.output,
      (out) => out.includes(`(pid ${victim}) was killed by SIGKILL`),
      10000,
      50,
    );
    const answers: Answer[] = [];
    const replaced = await eventually(
      async () => {
        const a = await send(`${gms.url}/health/live`);
        answers.push(a);
        return new Set(answers.slice(-4).map((x) => x.servedBy));
      },
      (pids) => pids.size === 2,
      60000,
      100,
    );
    // While the replacement started, the other worker answered everything.
    expect(answers.map((a) => a.status)).toEqual(Array(answers.length).fill(200));
    expect(answers.slice(0, -4).every((a) => a.servedBy === survivor)).toBe(true);
    expect(replaced.has(victim)).toBe(false);
    expect(replaced.has(survivor)).toBe(true);
    expect(isRunning(Number(victim))).toBe(false);
    workers = [...replaced] as string[];
    // The replacement is a whole worker: healthy, and writing.
    const replacement = workers.find((w) => w !== survivor)!;
    const health = await eventually(
      () => send(`${gms.url}/health`),
      (a) => a.servedBy === replacement && a.status === 200,
      30000,
      100,
    );
    expect(JSON.parse(health.text).status).toBe('ok');
  });

  it('on SIGTERM the primary has every worker drain (requests in flight answered) and exits 0, leaving nothing running', async () => {
    const urns = Array.from({ length: 8 }, (_, i) => urnOf(`stop${i}`));
    // Synchronous writes: each answers only once SQL has it.
    const inFlight = urns.map((urn) => send(`${gms.url}/openapi/v3/entity/dataset/${enc(urn)}/status`, 'POST', { value: { removed: false } }));
    await new Promise((r) => setTimeout(r, 5));
    const exit = gms.stop('SIGTERM', 40000);
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual(Array(urns.length).fill(200));
    expect(await exit).toBe(0);
    for (const pid of workers) expect(isRunning(Number(pid))).toBe(false);
    expect(gms.output).toContain('SIGTERM received: stopping 2 workers');
    expect(gms.output.match(/SIGTERM received: shutting down/g)?.length).toBeGreaterThanOrEqual(2);
    expect(gms.output).toContain('every worker has exited: exiting 0');
  });
});

describe('gms on several cores: start-up', () => {
  it('the primary validates the configuration before forking: one line naming the variable, exit 78', async () => {
    const cases: Record<string, string>[] = [{ GMS_WORKERS: '0' }, { GMS_WORKERS: '65' }, { GMS_WORKERS: '2', PORT: 'not-a-port' }];
    for (const env of cases) {
      const app = await AppProcess.start('gms', env);
      expect(await app.waitForExit(30000)).toBe(78);
      expect(app.output.trim().split('\n')).toHaveLength(1);
      expect(app.output).toContain(`Invalid configuration: ${Object.keys(env).pop()}=`);
    }
  });

  it('a service that cannot start (its port taken) exits non-zero instead of restarting workers forever', async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(port, '127.0.0.1', r));
    try {
      const app = await AppProcess.start('gms', { GMS_WORKERS: '2', PORT: String(port) });
      expect(await app.waitForExit(60000)).toBe(1);
      expect(app.output).toMatch(/worker \d+ \(pid \d+\) exited with code 1 before the service was listening: stopping/);
      expect(app.output).toContain('EADDRINUSE');
    } finally {
      taken.close();
    }
  });
});
