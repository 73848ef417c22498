import type { OtlpSpan } from '@lib/telemetry';
import { AppProcess } from './support/app-process';
import { request } from './support/http';
import { dropNamespace, ownNamespace } from './support/namespace';
import { eventually } from './support/poll';
import { states, traceIdOf, traceWrite } from './support/trace-client';

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const urnOf = (name: string) => `urn:li:dataset:(urn:li:dataPlatform:hive,spans_${run}.${name},PROD)`;

type Span = OtlpSpan;
interface ResourceSpans {
  resource: { attributes: { key: string; value: { stringValue?: string } }[] };
  scopeSpans: { scope: { name: string }; spans: Span[] }[];
}

/** The spans of the OTLP answer, each with the service.name of its resource. */
function flatten(body: { resourceSpans: ResourceSpans[] }): (Span & { service: string })[] {
  return body.resourceSpans.flatMap((rs) => {
    const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
    return rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ ...s, service })));
  });
}

const PRODUCER = 4;
const CONSUMER = 5;

/**
 * Spans stored in OpenSearch and read back as OTLP JSON (GET /openapi/v1/trace/{traceId}/spans), on the real stack:
 * the three apps as separate processes, in a namespace of their own.
 */
describe('stored spans: a traced write as OTLP JSON', () => {
  const env = ownNamespace(`spans${run}`);
  let apps: AppProcess[] = [];
  let gms: AppProcess;

  beforeAll(async () => {
    gms = await AppProcess.start('gms', { ...env, RUN_CONSUMERS: '' });
    apps = [gms, await AppProcess.start('mce-consumer', env), await AppProcess.start('mae-consumer', env)];
    await Promise.all(apps.map((a) => a.waitHealthy()));
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await dropNamespace(env);
  });

  const write = async (urn: string, headers: Record<string, string> = {}) => {
    const res = await request('POST', `${gms.url}/openapi/v3/entity/dataset`, [{ urn, status: { value: { removed: false } } }], headers);
    expect(res.status).toBe(202);
    const traceId = traceIdOf(res.headers.get('traceparent'));
    const traced = await traceWrite(gms.url, traceId, { [urn]: ['status'] }, { waitMs: 20000 });
    expect(states(traced.body, urn, 'status')).toBe('ACTIVE_STATE/ACTIVE_STATE');
    return traceId;
  };
  const spansOf = (traceId: string) => request('GET', `${gms.url}/openapi/v1/trace/${traceId}/spans`);

  it('a write that asked for the trace log: spans of gms, MCE and MAE under its trace id, each consumer span parented on the producer span', async () => {
    const traceId = await write(urnOf('traced'), { 'X-Enable-Trace-Log': 'true' });
    // Stored in batches (about a second) and searchable after OpenSearch's refresh (a second).
    const res = await eventually(
      () => spansOf(traceId),
      (r) => r.status === 200 && new Set(flatten(r.body).map((s) => s.service)).size === 3,
      15000,
      250,
    );
    const spans = flatten(res.body);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['gms', 'mce-consumer', 'mae-consumer']));
    expect(spans.every((s) => s.traceId === traceId)).toBe(true);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const consumer of ['mce-consumer', 'mae-consumer']) {
      const consumed = spans.filter((s) => s.service === consumer && s.kind === CONSUMER);
      expect({ consumer, consumed: consumed.length }).toEqual({ consumer, consumed: expect.any(Number) });
      expect(consumed.length).toBeGreaterThan(0);
      for (const c of consumed) {
        const parent = byId.get(c.parentSpanId ?? '');
        expect({ consumer, span: c.name, parentKind: parent?.kind }).toEqual({ consumer, span: c.name, parentKind: PRODUCER });
        expect(parent!.service).not.toBe(consumer);
      }
    }
    // Every other span's parent is stored too, but for the request's root.
    const roots = spans.filter((s) => !s.parentSpanId || !byId.has(s.parentSpanId));
    expect(roots.map((s) => s.service)).toEqual(['gms']);
    for (const s of spans) expect(BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano)).toBe(true);
    // And counted.
    const metrics = await (await fetch(`${gms.url}/metrics`)).text();
    expect(Number(/^trace_spans_stored_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });

  it('stores nothing of a write that did not ask (the sample ratio is 0 by default)', async () => {
    const traceId = await write(urnOf('untraced'));
    await new Promise((r) => setTimeout(r, 3000));
    const res = await spansOf(traceId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ resourceSpans: [] });
  });

  it("an OTLP POST joins the client's own span to the pipeline's, under the traceparent it gave its write; again overwrites it", async () => {
    const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
    const [traceId, clientSpan] = [hex(32), hex(16)];
    const started = BigInt(Date.now()) * 1_000_000n;
    await write(urnOf('otlp'), { 'X-Enable-Trace-Log': 'true', traceparent: `00-${traceId}-${clientSpan}-01` });
    const job = (name: string) => ({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'ingestion-job' } }] },
          scopeSpans: [
            {
              scope: { name: 'job' },
              spans: [{ traceId, spanId: clientSpan, name, kind: 3, startTimeUnixNano: String(started), endTimeUnixNano: String(started + 5_000_000_000n) }],
            },
          ],
        },
      ],
    });
    const posted = await request('POST', `${gms.url}/v1/traces`, job('emit batch'));
    expect(posted).toMatchObject({ status: 200, body: { partialSuccess: {} } });
    expect((await request('POST', `${gms.url}/v1/traces`, job('emit batch, renamed'))).status).toBe(200);
    const res = await eventually(
      () => spansOf(traceId),
      (r) => r.status === 200 && flatten(r.body).some((s) => s.name === 'emit batch, renamed') && new Set(flatten(r.body).map((s) => s.service)).size === 4,
      15000,
      250,
    );
    const spans = flatten(res.body);
    expect(spans.filter((s) => s.spanId === clientSpan)).toEqual([expect.objectContaining({ service: 'ingestion-job', name: 'emit batch, renamed' })]);
    // The pipeline's root (gms's server span) hangs under the client's span.
    const roots = spans.filter((s) => s.service === 'gms' && s.parentSpanId === clientSpan);
    expect(roots).toHaveLength(1);
  });

  it('refuses a malformed OTLP body with a 400 naming the field, and protobuf with a 415', async () => {
    const bad = await request('POST', `${gms.url}/v1/traces`, { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'xyz' }] }] }] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^body\.resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]/);
    const protobuf = await request('POST', `${gms.url}/v1/traces`, 'binary', { 'content-type': 'application/x-protobuf' });
    expect(protobuf.status).toBe(415);
  });

  it('answers a malformed trace id with a 400', async () => {
    const res = await spansOf('not-a-trace-id');
    expect(res.status).toBe(400);
    expect(res.body.message).toBeTruthy();
  });
});
