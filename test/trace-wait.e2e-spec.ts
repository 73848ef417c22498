import { AppProcess } from './support/app-process';
import { request } from './support/http';
import { dropNamespace, ownNamespace } from './support/namespace';
import { states, traceIdOf, traceWrite } from './support/trace-client';

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const urnOf = (name: string) => `urn:li:dataset:(urn:li:dataPlatform:hive,wait_${run}.${name},PROD)`;
const POLL_MS = 25;

/** A trace with `waitMs`, timed. */
async function timedTrace(base: string, traceId: string, body: Record<string, string[]>, waitMs: number) {
  const started = Date.now();
  const res = await traceWrite(base, traceId, body, { waitMs });
  return { res, ms: Date.now() - started };
}

/** The watcher's fetches of `group` so far, from GET /metrics (trace_wait_offset_fetches_total). */
async function offsetFetches(base: string, group: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`trace_wait_offset_fetches_total{group="${group}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Trace requests held waiting now, from GET /metrics (trace_waiting_requests). */
async function waitingRequests(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('trace_waiting_requests '));
  return line ? Number(line.split(' ').pop()) : NaN;
}

/**
 * The trace endpoint's waitMs (trace-semantics 5.4) on the real stack, in a namespace of its own: the HTTP
 * service without consumers, and the consumers as separate processes started while traces wait.
 */
describe('trace endpoint: waitMs', () => {
  const env = ownNamespace(`wait${run}`);
  let gms: AppProcess;
  let consumers: AppProcess[] = [];

  const write = async (urn: string) => {
    const res = await request('POST', `${gms.url}/openapi/v3/entity/dataset`, [{ urn, status: { value: { removed: false } } }]);
    expect(res.status).toBe(202);
    return traceIdOf(res.headers.get('traceparent'));
  };
  const startConsumers = async () => {
    consumers = await Promise.all([AppProcess.start('mce-consumer', env), AppProcess.start('mae-consumer', env)]);
    await Promise.all(consumers.map((c) => c.waitHealthy()));
  };
  const stopConsumers = async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    consumers = [];
  };

  beforeAll(async () => {
    gms = await AppProcess.start('gms', { ...env, RUN_CONSUMERS: '', TRACE_WAIT_POLL_MS: String(POLL_MS) });
    await gms.waitHealthy();
    // The consumer groups must exist (a trace against no group at all is UNKNOWN, and is not waited on):
    // one write through both, then no consumer runs.
    await startConsumers();
    const urn = urnOf('groups');
    const traceId = await write(urn);
    const { res } = await timedTrace(gms.url, traceId, { [urn]: ['status'] }, 20000);
    expect(states(res.body, urn, 'status')).toBe('ACTIVE_STATE/ACTIVE_STATE');
    await stopConsumers();
  });

  afterAll(async () => {
    await stopConsumers();
    await gms?.stop();
    await dropNamespace(env);
  });

  it('(b) with no MCE consumer running, waitMs=2000 answers PENDING after about 2 s; (e) waitMs=0 at once', async () => {
    const urn = urnOf('b');
    const traceId = await write(urn);
    const now = await timedTrace(gms.url, traceId, { [urn]: ['status'] }, 0);
    expect(states(now.res.body, urn, 'status')).toBe('PENDING/PENDING');
    expect(now.ms).toBeLessThan(1000);
    const waited = await timedTrace(gms.url, traceId, { [urn]: ['status'] }, 2000);
    expect(waited.res.status).toBe(200);
    expect(states(waited.res.body, urn, 'status')).toBe('PENDING/PENDING');
    expect(waited.ms).toBeGreaterThanOrEqual(1950);
    expect(waited.ms).toBeLessThan(4000);
  });

  it('(c) consumers started during a waitMs=20000 wait: it answers ACTIVE before its deadline', async () => {
    const urn = urnOf('c');
    const traceId = await write(urn);
    const waiting = timedTrace(gms.url, traceId, { [urn]: ['status'] }, 20000);
    await new Promise((r) => setTimeout(r, 500));
    await startConsumers();
    const { res, ms } = await waiting;
    expect(states(res.body, urn, 'status')).toBe('ACTIVE_STATE/ACTIVE_STATE');
    expect(ms).toBeLessThan(20000);
  });

  it('(a) an async write traced at once with waitMs=5000 answers ACTIVE well before 5 s', async () => {
    for (const name of ['a1', 'a2', 'a3']) {
      const urn = urnOf(name);
      const traceId = await write(urn);
      const { res, ms } = await timedTrace(gms.url, traceId, { [urn]: ['status'] }, 5000);
      expect(states(res.body, urn, 'status')).toBe('ACTIVE_STATE/ACTIVE_STATE');
      expect(ms).toBeLessThan(5000);
      process.stdout.write(`trace-wait (a): ACTIVE/ACTIVE after ${ms} ms\n`);
    }
    await stopConsumers();
  });

  it('(d) 200 concurrent waiters cost about one offset fetch per interval per group, not one per waiter', async () => {
    const urns = Array.from({ length: 200 }, (_, i) => urnOf(`d${i}`));
    const traceIds = await Promise.all(urns.map((u) => write(u)));
    const before = await offsetFetches(gms.url, env.MCE_CONSUMER_GROUP);
    const started = Date.now();
    const answers = await Promise.all(urns.map((u, i) => timedTrace(gms.url, traceIds[i], { [u]: ['status'] }, 2000)));
    const elapsed = Date.now() - started;
    const fetched = (await offsetFetches(gms.url, env.MCE_CONSUMER_GROUP)) - before;
    expect(answers.every(({ res }, i) => states(res.body, urns[i], 'status') === 'PENDING/PENDING')).toBe(true);
    // One per interval for all 200 while they wait (timers drift: allow 2 intervals per interval, never 200 per interval).
    process.stdout.write(`trace-wait (d): 200 waiters, ${elapsed} ms, ${fetched} offset fetches of the MCE group\n`);
    expect(fetched).toBeGreaterThan(0);
    expect(fetched).toBeLessThanOrEqual(Math.ceil((2 * elapsed) / POLL_MS));
    expect(fetched).toBeLessThan(200);
    // Nobody waits: no more fetches.
    const idle = await offsetFetches(gms.url, env.MCE_CONSUMER_GROUP);
    await new Promise((r) => setTimeout(r, 10 * POLL_MS));
    expect(await offsetFetches(gms.url, env.MCE_CONSUMER_GROUP)).toBe(idle);
  });

  it('a client that disconnects frees its waiter', async () => {
    const urn = urnOf('gone');
    const traceId = await write(urn);
    const client = new AbortController();
    const url = `${gms.url}/openapi/v1/trace/write/${traceId}?waitMs=20000`;
    const held = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ [urn]: ['status'] }),
      signal: client.signal,
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await waitingRequests(gms.url)).toBe(1);
    client.abort();
    await expect(held).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 300));
    expect(await waitingRequests(gms.url)).toBe(0);
  });

  it('on SIGTERM a held trace answers at once with what it has (last: it stops the service)', async () => {
    const urn = urnOf('sigterm');
    const traceId = await write(urn);
    const waiting = timedTrace(gms.url, traceId, { [urn]: ['status'] }, 20000);
    await new Promise((r) => setTimeout(r, 1000));
    const stopped = gms.stop();
    const { res, ms } = await waiting;
    expect(res.status).toBe(200);
    expect(states(res.body, urn, 'status')).toBe('PENDING/PENDING');
    expect(ms).toBeLessThan(5000);
    expect(await stopped).toBe(0);
  });
});
