import { AppProcess } from './support/app-process';
import { request } from './support/http';
import { dropNamespace, ownNamespace } from './support/namespace';
import { eventually } from './support/poll';
import { kafka } from './support/stores';
import { messageCount } from './support/topics';
import { traceIdOf, traceWrite } from './support/trace-client';

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const urnOf = (name: string) => `urn:li:dataset:(urn:li:dataPlatform:hive,bp_${run}.${name},PROD)`;
const MAX_LAG = 5;

/**
 * Backpressure (BACKPRESSURE_MAX_LAG) on the real stack, in a namespace of its own: the HTTP service with no
 * consumer at all, so every async write adds to the MCE group's lag, sampled every 100 ms.
 */
describe('backpressure: async writes refused while the MCE consumer is behind', () => {
  const env = ownNamespace(`bp${run}`);
  let gms: AppProcess;
  const asyncWrite = (name: string) => request('POST', `${gms.url}/openapi/v3/entity/dataset`, [{ urn: urnOf(name), status: { value: { removed: false } } }]);

  const mceGroup = async () =>
    ((await request('GET', `${gms.url}/openapi/v1/consumers`)).body.groups as { groupId: string; lag: number; members: number; state: string }[]).find(
      (g) => g.groupId === env.MCE_CONSUMER_GROUP,
    );

  beforeAll(async () => {
    gms = await AppProcess.start('gms', { ...env, RUN_CONSUMERS: '', BACKPRESSURE_MAX_LAG: String(MAX_LAG), CONSUMER_MONITOR_INTERVAL_MS: '100' });
    await gms.waitHealthy();
  });

  afterAll(async () => {
    await gms?.stop();
    await dropNamespace(env);
  });

  it('accepts async writes up to the bound, then answers 429 with Retry-After and a JSON message, queueing nothing', async () => {
    for (let i = 0; i <= MAX_LAG; i++) expect((await asyncWrite(`w${i}`)).status).toBe(202);
    // Once the monitor has sampled the lag (MAX_LAG + 1 messages nobody reads), the next async write is refused.
    await eventually(mceGroup, (g) => g?.lag === MAX_LAG + 1, 5000, 50);
    const refused = await asyncWrite('refused');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(refused.body.message).toContain(
      `the consumer group ${env.MCE_CONSUMER_GROUP} is ${MAX_LAG + 1} messages behind (bound BACKPRESSURE_MAX_LAG=${MAX_LAG})`,
    );
    expect(refused.body.message).toContain('Nothing of this request was queued');

    const queued = await messageCount(kafka(), env.TOPIC_MCP);
    for (const route of ['PATCH', 'DELETE'] as const) {
      const res =
        route === 'PATCH'
          ? await request('PATCH', `${gms.url}/openapi/v3/entity/dataset`, [
              { urn: urnOf('w0'), globalTags: { value: { patch: [{ op: 'add', path: '/tags/urn:li:tag:x', value: { tag: 'urn:li:tag:x' } }] } } },
            ])
          : await request('DELETE', `${gms.url}/openapi/v3/entity/dataset/${encodeURIComponent(urnOf('w0'))}/status`);
      expect({ route, status: res.status }).toEqual({ route, status: 429 });
    }
    expect(await messageCount(kafka(), env.TOPIC_MCP)).toBe(queued);
  });

  it('does not refuse synchronous writes, traces, reads, or the consumers view', async () => {
    const sync = await request('POST', `${gms.url}/openapi/v3/entity/dataset?async=false`, [{ urn: urnOf('sync'), status: { value: { removed: true } } }]);
    expect(sync.status).toBe(200);
    const trace = await traceWrite(gms.url, traceIdOf(sync.headers.get('traceparent')), { [urnOf('sync')]: ['status'] });
    expect(trace.status).toBe(200);
    expect((await request('GET', `${gms.url}/openapi/v3/entity/dataset/${encodeURIComponent(urnOf('sync'))}/status`)).status).toBe(200);
    const view = await request('GET', `${gms.url}/openapi/v1/consumers`);
    expect(view.status).toBe(200);
    expect(view.body.groups.find((g: { groupId: string }) => g.groupId === env.MCE_CONSUMER_GROUP)).toMatchObject({
      lag: MAX_LAG + 1,
      members: 0,
      state: 'STOPPED',
    });
  });

  it('lets async writes through again once a consumer has caught up', async () => {
    const mce = await AppProcess.start('mce-consumer', env);
    try {
      await mce.waitHealthy();
      const accepted = await eventually(
        () => asyncWrite('after'),
        (r) => r.status === 202,
        30000,
        200,
      );
      expect(accepted.status).toBe(202);
    } finally {
      await mce.stop();
    }
  });
});
