import { AppProcess } from './support/app-process';
import { getJson, postJson } from './support/http';
import { eventually } from './support/poll';
import { stackEnv } from './support/stack-env';
import { states, traceIdOf, traceWrite } from './support/trace-client';

const env = stackEnv();
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const urnOf = (name: string) => `urn:li:dataset:(urn:li:dataPlatform:hive,metrics_${run}.${name},PROD)`;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (format 0.0.4). */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not an exposition line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
      return { name: m[1], labels, value: Number(m[3]) };
    });
}

/** The samples named `name` whose labels include `labels`. */
const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const valueOf = (samples: Sample[], name: string, labels: Record<string, string> = {}) => find(samples, name, labels)[0]?.value;

async function scrape(base: string): Promise<{ contentType: string | null; text: string; samples: Sample[] }> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { contentType: res.headers.get('content-type'), text, samples: parse(text) };
}

describe('metrics and health probes: the service with both consumers embedded', () => {
  let gms: AppProcess;
  let base: string;

  beforeAll(async () => {
    // One process: the offset cache (a miss, then a hit) is per worker; test/gms-workers covers the aggregate of several.
    gms = await AppProcess.start('gms', { RUN_CONSUMERS: 'mce,mae', GMS_WORKERS: '1' });
    await gms.waitHealthy();
    base = gms.url;
  });

  afterAll(async () => {
    await gms?.stop();
  });

  it('answers liveness and readiness', async () => {
    const live = await getJson(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await getJson(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    for (const dep of ['kafka', 'mysql', 'opensearch', 'schema', 'mce-consumer', 'mae-consumer']) expect(ready.body.info[dep].status).toBe('up');
    expect((await getJson(`${base}/health`)).status).toBe(200);
  });

  it('counts writes, proposals, change logs, traces and offset-cache look-ups, with bounded labels and consumer lag', async () => {
    const urns = [urnOf('a'), urnOf('b'), urnOf('c')];
    const first = await postJson(
      `${base}/openapi/v3/entity/dataset`,
      urns.map((urn) => ({ urn, status: { value: { removed: false } } })),
    );
    expect(first.status).toBe(202);
    // The second request holds one proposal that fails its If-Version-Match: the MCE consumer sends it to the failed topic.
    const glossaryTerms = {
      value: { terms: [{ urn: 'urn:li:glossaryTerm:Sensitive' }], auditStamp: { time: 1, actor: 'urn:li:corpuser:e2e' } },
      headers: { 'If-Version-Match': '-10000' },
    };
    const second = await postJson(`${base}/openapi/v3/entity/dataset`, [
      { urn: urns[0], datasetProperties: { value: { description: 'm', customProperties: {} } } },
      { urn: urns[2], glossaryTerms },
    ]);
    expect(second.status).toBe(202);
    const traceId = traceIdOf(first.headers.get('traceparent'));
    await eventually(
      () => traceWrite(base, traceId, { [urns[0]]: ['status'] }),
      (r) => r.status === 200 && states(r.body, urns[0], 'status') === 'ACTIVE_STATE/ACTIVE_STATE',
      40000,
      300,
    );
    // An aspect this trace never wrote: the stores cannot settle it, so the trace reads the group offsets (a miss, then a hit).
    const unsettled = { [urns[1]]: ['status', 'glossaryTerms'] };
    expect((await traceWrite(base, traceId, unsettled)).status).toBe(200);
    expect((await traceWrite(base, traceId, unsettled)).status).toBe(200);

    const n = 5; // proposals written above, one of them failing
    const { contentType, text, samples } = await eventually(
      () => scrape(base),
      (s) =>
        (valueOf(s.samples, 'proposals_processed_total') ?? 0) >= n &&
        (valueOf(s.samples, 'failed_proposals_total') ?? 0) >= 1 &&
        (valueOf(s.samples, 'change_logs_indexed_total') ?? 0) >= n - 1,
      30000,
      500,
    );
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);

    const writes = valueOf(samples, 'http_request_duration_seconds_count', { method: 'POST', route: '/openapi/v3/entity/:entityName', status: '202' });
    expect(writes).toBeGreaterThanOrEqual(2);
    expect(
      valueOf(samples, 'http_request_duration_seconds_count', { method: 'POST', route: '/openapi/v1/trace/write/:traceId', status: '200' }),
    ).toBeGreaterThanOrEqual(3);
    // Route patterns only: no URN, no trace id ever becomes a label value.
    expect(text).not.toContain('urn:li:');
    expect(text).not.toContain(traceId);

    expect(valueOf(samples, 'trace_offset_cache_total', { result: 'miss' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'trace_offset_cache_total', { result: 'hit' })).toBeGreaterThanOrEqual(1);

    const mceLag = find(samples, 'kafka_consumer_lag', { group: env.MCE_CONSUMER_GROUP, topic: env.TOPIC_MCP });
    expect(mceLag.map((s) => s.labels.partition).sort()).toEqual(['0', '1', '2']);
    for (const s of mceLag) expect(s.value).toBeGreaterThanOrEqual(0);
    expect(find(samples, 'kafka_consumer_lag', { group: env.MAE_CONSUMER_GROUP, topic: env.TOPIC_MCL_VERSIONED })).toHaveLength(3);
    expect(find(samples, 'kafka_consumer_lag', { group: env.MAE_CONSUMER_GROUP, topic: env.TOPIC_MCL_TIMESERIES })).toHaveLength(3);

    // Default process metrics are on the same registry.
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });
});

describe('metrics and health probes with authentication on', () => {
  let gms: AppProcess;

  beforeAll(async () => {
    gms = await AppProcess.start('gms', { AUTH_ENABLED: 'true', AUTH_JWT_SECRET: 'e2e-only-secret-0123456789abcdef-0123456789' });
    await gms.waitHealthy();
  });

  afterAll(async () => {
    await gms?.stop();
  });

  it('are public, like /health, while the API needs a token; a rejected request is timed under its route', async () => {
    for (const path of ['/metrics', '/health/live', '/health/ready']) expect((await fetch(`${gms.url}${path}`)).status).toBe(200);
    expect((await postJson(`${gms.url}/openapi/v3/entity/dataset`, [])).status).toBe(401);
    const { samples } = await scrape(gms.url);
    expect(valueOf(samples, 'http_request_duration_seconds_count', { method: 'POST', route: '/openapi/v3/entity/:entityName', status: '401' })).toBe(1);
    // Without embedded consumers the service runs no group: no lag series.
    expect(find(samples, 'kafka_consumer_lag')).toHaveLength(0);
  });
});

describe('metrics and health probes: the standalone consumers', () => {
  let mce: AppProcess;
  let mae: AppProcess;

  beforeAll(async () => {
    [mce, mae] = await Promise.all([AppProcess.start('mce-consumer'), AppProcess.start('mae-consumer')]);
    await Promise.all([mce.waitHealthy(), mae.waitHealthy()]);
  });

  afterAll(async () => {
    await Promise.all([mce?.stop(), mae?.stop()]);
  });

  it.each([
    ['mce-consumer', () => mce, env.MCE_CONSUMER_GROUP, 'proposals_processed_total'],
    ['mae-consumer', () => mae, env.MAE_CONSUMER_GROUP, 'change_logs_indexed_total'],
  ])('%s serves /metrics with its own group lag, and the probes', async (_name, app, group, counter) => {
    const { samples } = await scrape(app().url);
    expect(find(samples, 'kafka_consumer_lag', { group }).length).toBeGreaterThanOrEqual(3);
    // Only its own group.
    expect(find(samples, 'kafka_consumer_lag').every((s) => s.labels.group === group)).toBe(true);
    expect(valueOf(samples, counter)).toBeGreaterThanOrEqual(0);
    expect((await getJson(`${app().url}/health/live`)).status).toBe(200);
    expect((await getJson(`${app().url}/health/ready`)).status).toBe(200);
  });
});
