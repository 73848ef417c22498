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
    gms = await AppProcess.start('gms', { ...env, RUN_CONSUMERS: '', TRACE_WAIT_POLL_MS: String(POLL_MS), CONSUMER_MONITOR_INTERVAL_MS: '200' });
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
    // Where it waits, and why it does not move (contract 5.5): the MCE group has no member.
    const primary = (waited.res.body as Record<string, Record<string, { primaryStorage: { writeMessage: string; queue: Record<string, unknown> } }>>)[urn]
      .status.primaryStorage;
    expect(primary.writeMessage).toMatch(
      new RegExp(`^Consumer has not processed offset\\. Consumer group ${env.MCE_CONSUMER_GROUP} has no member \\(STOPPED\\)`),
    );
    expect(primary.queue).toMatchObject({ consumerGroup: env.MCE_CONSUMER_GROUP, topic: env.TOPIC_MCP, consumerState: 'STOPPED', consumptionRate: 0 });
    expect(Number(primary.queue.offset)).toBeGreaterThanOrEqual(Number(primary.queue.committedOffset));
    expect(primary.queue.messagesAhead).toBe(Number(primary.queue.offset) - Number(primary.queue.committedOffset));
    expect(primary.queue.estimatedWaitMs).toBeUndefined();
    // The consumers view and the gauges say the same.
    const view = await request('GET', `${gms.url}/openapi/v1/consumers`);
    expect(view.status).toBe(200);
    const mce = (
      view.body as { groups: { groupId: string; members: number; lag: number; state: string; partitions: { partition: number; lag: number }[] }[] }
    ).groups.find((g) => g.groupId === env.MCE_CONSUMER_GROUP);
    expect(mce).toMatchObject({ members: 0, state: 'STOPPED' });
    expect(mce!.lag).toBeGreaterThanOrEqual(1);
    expect(mce!.partitions.find((p) => p.partition === primary.queue.partition)!.lag).toBeGreaterThanOrEqual(1);
    const metrics = await (await fetch(`${gms.url}/metrics`)).text();
    expect(metrics).toContain(`consumer_group_state{group="${env.MCE_CONSUMER_GROUP}",state="STOPPED"} 1`);
    expect(metrics).toContain(`consumer_group_members{group="${env.MCE_CONSUMER_GROUP}"} 0`);
  });

  it('(f) an aspect a write did not touch (the wrong URN, the wrong aspect) answers NO_OP in both stores, saying so, at once', async () => {
    const urn = urnOf('f');
    const traceId = await write(urn);
    const { res, ms } = await timedTrace(gms.url, traceId, { [urnOf('f-never-written')]: ['status'], [urn]: ['datasetProperties'] }, 5000);
    const NO_WRITE = { writeStatus: 'NO_OP', writeMessage: 'No write of this aspect under this trace id.' };
    const untouched = { success: true, primaryStorage: NO_WRITE, searchStorage: NO_WRITE };
    expect(res.body).toEqual({ [urnOf('f-never-written')]: { status: untouched }, [urn]: { datasetProperties: untouched } });
    expect(ms).toBeLessThan(2000);
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
    // With its consumer back the MCE group has a member and, once it catches up, no lag.
    const deadline = Date.now() + 10000;
    let mce: { members: number; lag: number; state: string } | undefined;
    while (Date.now() < deadline) {
      const view = await request('GET', `${gms.url}/openapi/v1/consumers`);
      mce = (view.body as { groups: { groupId: string; members: number; lag: number; state: string }[] }).groups.find(
        (g) => g.groupId === env.MCE_CONSUMER_GROUP,
      );
      if (mce?.members && mce.lag === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(mce).toMatchObject({ lag: 0, state: 'OK' });
    expect(mce!.members).toBeGreaterThanOrEqual(1);
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

  it('(d) 1,000 concurrent waiters cost about one offset fetch per interval per group, not one per waiter', async () => {
    const WAITERS = 1000;
    const urns = Array.from({ length: WAITERS }, (_, i) => urnOf(`d${i}`));
    // One batch write of them all: one trace id for every URN.
    const res = await request(
      'POST',
      `${gms.url}/openapi/v3/entity/dataset`,
      urns.map((urn) => ({ urn, status: { value: { removed: false } } })),
    );
    expect(res.status).toBe(202);
    const traceId = traceIdOf(res.headers.get('traceparent'));
    const before = await offsetFetches(gms.url, env.MCE_CONSUMER_GROUP);
    const started = Date.now();
    const answers = await Promise.all(urns.map((u) => timedTrace(gms.url, traceId, { [u]: ['status'] }, 2000)));
    const elapsed = Date.now() - started;
    const fetched = (await offsetFetches(gms.url, env.MCE_CONSUMER_GROUP)) - before;
    expect(answers.filter(({ res }, i) => states(res.body, urns[i], 'status') !== 'PENDING/PENDING')).toEqual([]);
    // Each was held: none answered before its 2 s.
    expect(Math.min(...answers.map((a) => a.ms))).toBeGreaterThanOrEqual(1950);
    // One per interval for all of them while they wait (timers drift: allow 2 intervals per interval, never one per waiter).
    process.stdout.write(`trace-wait (d): ${WAITERS} waiters, ${elapsed} ms, ${fetched} offset fetches of the MCE group\n`);
    expect(fetched).toBeGreaterThan(0);
    expect(fetched).toBeLessThanOrEqual(Math.ceil((2 * elapsed) / POLL_MS));
    expect(fetched).toBeLessThan(WAITERS / 4);
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
