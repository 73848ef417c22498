import { AppProcess } from './support/app-process';
import { request } from './support/http';
import { eventually } from './support/poll';
import { traceIdOf } from './support/trace-client';

interface LoggedSpan {
  app: string;
  spanId: string;
  parentId: string;
  name: string;
  attributes: Record<string, unknown>;
}

/** The trace-log lines of one trace in one app's output: each span line followed by its attributes line. */
function spansOf(app: AppProcess, traceId: string): LoggedSpan[] {
  const lines = app.output.split('\n').filter((l) => l.includes(`Trace: ${traceId}, `));
  const spans: LoggedSpan[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /SpanId: ([0-9a-f]{16}), ParentId: ([0-9a-f]{16}), Name: (.*), Duration: \d+\.\d\d ms/.exec(lines[i]);
    if (!m) continue;
    const attrs = /Attributes: (\{.*\})/.exec(lines[i + 1] ?? '');
    spans.push({ app: app.name, spanId: m[1], parentId: m[2], name: m[3], attributes: attrs ? JSON.parse(attrs[1]) : {} });
  }
  return spans;
}

describe('trace log across the three apps', () => {
  let gms: AppProcess;
  let mce: AppProcess;
  let mae: AppProcess;
  const urn = `urn:li:dataset:(urn:li:dataPlatform:hive,tracelog_${Date.now().toString(36)}.t,PROD)`;

  beforeAll(async () => {
    [gms, mce, mae] = await Promise.all([AppProcess.start('gms'), AppProcess.start('mce-consumer'), AppProcess.start('mae-consumer')]);
    await Promise.all([gms.waitHealthy(), mce.waitHealthy(), mae.waitHealthy()]);
  });

  afterAll(async () => {
    await Promise.all([gms?.stop(), mce?.stop(), mae?.stop()]);
  });

  it('logs one tree of spans, HTTP -> produce -> consume -> SQL -> MCL -> consume -> index, when the header asks', async () => {
    const res = await request('POST', `${gms.url}/openapi/v3/entity/dataset`, [{ urn, status: { value: { removed: false } } }], {
      'X-Enable-Trace-Log': 'TRUE',
    });
    expect(res.status).toBe(202);
    const traceId = traceIdOf(res.headers.get('traceparent'));
    const spans = await eventually(
      async () => [gms, mce, mae].flatMap((app) => spansOf(app, traceId)),
      (s) => s.some((x) => x.name === 'indexBulk'),
      30000,
    );
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const chainTo = (span: LoggedSpan): string[] => {
      const names = [`${span.app}:${span.name}`];
      for (let p = byId.get(span.parentId); p; p = byId.get(p.parentId)) names.unshift(`${p.app}:${p.name}`);
      return names;
    };
    const index = spans.find((s) => s.name === 'indexBulk')!;
    expect(chainTo(index)).toEqual([
      'gms:POST /openapi/v3/entity/dataset',
      'gms:ingestProposalAsync',
      'gms:produceMetadataChangeProposal',
      'mce-consumer:consume',
      'mce-consumer:produceMetadataChangeLog',
      'mae-consumer:consume',
      'mae-consumer:indexBulk',
    ]);
    const sql = spans.find((s) => s.name === 'ingestAspectToLocalDB')!;
    expect(chainTo(sql).slice(-2)).toEqual(['mce-consumer:consume', 'mce-consumer:ingestAspectToLocalDB']);
    expect(sql.attributes).toMatchObject({ 'db.system': 'mysql', 'db.operation': 'INSERT', 'db.rows_affected': 1 });
    const consume = spans.find((s) => s.app === 'mce-consumer' && s.name === 'consume')!;
    expect(consume.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.operation': 'receive' });
    expect(consume.attributes['queue.duration_ms']).toEqual(expect.any(Number));
    expect(index.attributes).toMatchObject({ 'db.system': 'opensearch', 'db.operation': 'bulk' });
    const root = spans.find((s) => s.parentId === '0000000000000000')!;
    expect(root.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 202 });
  });

  it('also turns on with the cookie, and logs nothing for a write without either', async () => {
    const withCookie = await request('POST', `${gms.url}/openapi/v3/entity/dataset`, [{ urn, status: { value: { removed: true } } }], {
      cookie: 'a=b; enable-trace-log=true',
    });
    const cookieTrace = traceIdOf(withCookie.headers.get('traceparent'));
    await eventually(
      async () => spansOf(mae, cookieTrace),
      (s) => s.some((x) => x.name === 'indexBulk'),
      30000,
    );

    const quiet = await request('POST', `${gms.url}/openapi/v3/entity/dataset`, [{ urn, status: { value: { removed: false } } }], {
      'X-Enable-Trace-Log': 'yes',
    });
    const quietTrace = traceIdOf(quiet.headers.get('traceparent'));
    // Wait until the quiet write went all the way through, then look for its lines.
    await eventually(
      () => request('POST', `${gms.url}/openapi/v1/trace/write/${quietTrace}?onlyIncludeErrors=false`, { [urn]: ['status'] }),
      (r) => r.body?.[urn]?.status?.searchStorage?.writeStatus === 'ACTIVE_STATE',
      30000,
    );
    for (const app of [gms, mce, mae]) expect(app.output).not.toContain(quietTrace);
  });
});
