import { loadEntityRegistry } from '@lib/metadata';
import { systemMetadataDocId } from '@lib/search';
import { AppProcess } from './support/app-process';
import { getJson, postJson, request } from './support/http';
import { eventually } from './support/poll';
import { stackEnv } from './support/stack-env';
import { search, sqlConnection } from './support/stores';
import { states, traceIdOf, traceWrite } from './support/trace-client';

const env = stackEnv();
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const datasetUrn = (name: string) => `urn:li:dataset:(urn:li:dataPlatform:hive,e2e_delete_${run}.${name},PROD)`;
const enc = encodeURIComponent;
const ACTOR = 'urn:li:corpuser:__anonymous';

interface Row {
  aspect: string;
  version: number;
  metadata: string;
  traceId: string | undefined;
  createdby: string;
}

async function rowsOf(urn: string): Promise<Row[]> {
  const sql = await sqlConnection();
  try {
    const [rows] = await sql.query(
      'SELECT aspect, version, metadata, systemmetadata, createdby FROM metadata_aspect_v2 WHERE urn = ? ORDER BY aspect, version',
      [urn],
    );
    return (rows as { aspect: string; version: number; metadata: string; systemmetadata: string; createdby: string }[]).map((r) => ({
      aspect: r.aspect,
      version: Number(r.version),
      metadata: r.metadata,
      traceId: JSON.parse(r.systemmetadata)?.properties?.telemetryTraceId,
      createdby: r.createdby,
    }));
  } finally {
    await sql.end();
  }
}

describe('Deletes on the real stack', () => {
  let gms: AppProcess;
  let base: string;
  const entityBase = () => `${base}/openapi/v3/entity`;
  const writeSync = (urn: string, aspects: Record<string, unknown>) =>
    postJson(`${entityBase()}/dataset?async=false`, [{ urn, ...Object.fromEntries(Object.entries(aspects).map(([k, v]) => [k, { value: v }])) }]);
  const traced = (traceId: string, urn: string, aspect: string, want: string) =>
    eventually(
      async () => (await traceWrite(base, traceId, { [urn]: [aspect] }, { detailed: true })).body,
      (body) => states(body, urn, aspect) === want,
      60000,
      200,
    );

  beforeAll(async () => {
    gms = await AppProcess.start('gms', { RUN_CONSUMERS: 'mce,mae' });
    await gms.waitHealthy();
    base = gms.url;
  });

  afterAll(async () => {
    await gms?.stop();
  });

  it('deletes one aspect async: 202 + traceparent, traced ACTIVE_STATE in both stores; reads 404; the audit shows who deleted; search forgets it', async () => {
    const urn = datasetUrn('aspect');
    expect((await writeSync(urn, { status: { removed: false }, datasetProperties: { description: 'to go' } })).status).toBe(200);

    const res = await request('DELETE', `${entityBase()}/dataset/${enc(urn)}/datasetProperties`);
    expect(res.status).toBe(202);
    expect(res.body).toEqual([{ urn, datasetProperties: { value: null } }]);
    const traceId = traceIdOf(res.headers.get('traceparent'));
    await traced(traceId, urn, 'datasetProperties', 'ACTIVE_STATE/ACTIVE_STATE');

    expect((await getJson(`${entityBase()}/dataset/${enc(urn)}/datasetProperties`)).status).toBe(404);
    const entity = await getJson(`${entityBase()}/dataset/${enc(urn)}`);
    expect(entity.status).toBe(200);
    expect(Object.keys(entity.body).sort()).toEqual(['datasetKey', 'status', 'urn']);

    const versions = await getJson(`${entityBase()}/dataset/${enc(urn)}/datasetProperties/versions`);
    expect(
      versions.body.map((v: { version: number; value: unknown; deleted?: boolean; createdBy: string }) => [
        v.version,
        v.value,
        v.deleted ?? false,
        v.createdBy,
      ]),
    ).toEqual([
      [1, { description: 'to go' }, false, ACTOR],
      [2, null, true, ACTOR],
    ]);
    expect(versions.body[1].systemMetadata.properties.telemetryTraceId).toBe(traceId);

    const os = search();
    const entityDoc = (await os.get({ index: `${env.OPENSEARCH_INDEX_PREFIX}datasetindex_v2`, id: urn })).body._source;
    expect(entityDoc.description ?? null).toBeNull(); // the fields of the deleted aspect are emptied
    const sysDoc = (await os.get({ index: `${env.OPENSEARCH_INDEX_PREFIX}system_metadata_service_v1`, id: systemMetadataDocId(urn, 'datasetProperties') })).body
      ._source;
    expect([sysDoc.removed, sysDoc.telemetryTraceId]).toEqual([true, traceId]);
  });

  it('deletes a whole entity: every aspect tombstoned (the key last), reads 404, the search document removed; a later write makes the delete HISTORIC_STATE', async () => {
    const urn = datasetUrn('entity');
    expect((await writeSync(urn, { status: { removed: false }, globalTags: { tags: [{ tag: 'urn:li:tag:e2e' }] } })).status).toBe(200);

    const res = await request('DELETE', `${entityBase()}/dataset/${enc(urn)}`, []); // the body DataHub's SDK sends
    expect(res.status).toBe(202);
    expect(res.body).toEqual([{ urn, datasetKey: { value: null } }]);
    const traceId = traceIdOf(res.headers.get('traceparent'));
    await traced(traceId, urn, 'datasetKey', 'ACTIVE_STATE/ACTIVE_STATE');

    const latest = (await rowsOf(urn)).filter((r) => r.version === 0);
    expect(latest.map((r) => [r.aspect, r.metadata, r.traceId])).toEqual([
      ['datasetKey', 'null', traceId],
      ['globalTags', 'null', traceId],
      ['status', 'null', traceId],
    ]);
    expect((await getJson(`${entityBase()}/dataset/${enc(urn)}`)).status).toBe(404);
    const doc = await search().get({ index: `${env.OPENSEARCH_INDEX_PREFIX}datasetindex_v2`, id: urn }, { ignore: [404] });
    expect(doc.statusCode).toBe(404);

    expect((await writeSync(urn, { status: { removed: true } })).status).toBe(200);
    expect(states((await traceWrite(base, traceId, { [urn]: ['datasetKey', 'status'] })).body, urn, 'status')).toBe('HISTORIC_STATE/HISTORIC_STATE');
    expect((await getJson(`${entityBase()}/dataset/${enc(urn)}/status`)).body).toEqual({ value: { removed: true } });
  });

  it('purges synchronously (async=false, purge=true): 200 once applied; only tombstones are left, each with the trace id', async () => {
    const urn = datasetUrn('purge');
    await writeSync(urn, { status: { removed: false } });
    await writeSync(urn, { status: { removed: true } });
    expect((await rowsOf(urn)).filter((r) => r.aspect === 'status')).toHaveLength(2); // latest + one history version

    const res = await request('DELETE', `${entityBase()}/dataset/${enc(urn)}?async=false&purge=true`);
    expect(res.status).toBe(200);
    const traceId = traceIdOf(res.headers.get('traceparent'));
    const rows = await rowsOf(urn);
    expect(rows.map((r) => [r.aspect, r.version, r.metadata, r.traceId])).toEqual([
      ['datasetKey', 0, 'null', traceId],
      ['status', 0, 'null', traceId],
    ]);
    expect(states((await traceWrite(base, traceId, { [urn]: ['datasetKey'] })).body, urn, 'datasetKey').split('/')[0]).toBe('ACTIVE_STATE');
  });

  it("hard-deletes as DataHub's SDK does (POST /entities?action=delete {urn}): every stored value purged once applied, the counts of what was stored", async () => {
    const urn = datasetUrn('hard');
    await writeSync(urn, { status: { removed: false }, datasetProperties: { description: 'one' } });
    await writeSync(urn, { datasetProperties: { description: 'two' } });
    // datasetKey, status, datasetProperties (latest) + datasetProperties version 1
    const res = await postJson(`${base}/entities?action=delete`, { urn });
    expect([res.status, res.body]).toEqual([200, { value: { rows: 4, timeseriesRows: 0 } }]);
    expect((await rowsOf(urn)).map((r) => [r.aspect, r.version, r.metadata])).toEqual([
      ['datasetKey', 0, 'null'],
      ['datasetProperties', 0, 'null'],
      ['status', 0, 'null'],
    ]);
    const again = await postJson(`${base}/entities?action=delete`, { urn });
    expect([again.status, again.body]).toEqual([200, { value: { rows: 0, timeseriesRows: 0 } }]);

    for (const [url, body, message] of [
      [`${base}/entities?action=search`, { urn }, /only action=delete/],
      [`${base}/entities?action=delete`, { urn: 'nope' }, /urn/],
      [`${base}/entities?action=delete`, { urn, aspectName: 'status' }, /not a timeseries aspect/],
      [`${base}/entities?action=delete`, { urn, startTimeMillis: 1 }, /need an aspectName/],
      [`${base}/entities?action=delete`, { urn, aspectName: 'datasetProfile', endTimeMillis: 'x' }, /endTimeMillis must be a whole number/],
    ] as const) {
      const bad = await postJson(url, body);
      expect([url, bad.status]).toEqual([url, 400]);
      expect(bad.body.message).toMatch(message);
    }
  });

  it('deletes timeseries events: a range through the hard delete action (the count it removed), then the rest through DELETE async=false', async () => {
    const urn = datasetUrn('timeseries');
    const index = `${env.OPENSEARCH_INDEX_PREFIX}${loadEntityRegistry().aspect('dataset', 'datasetProfile').indexName}`;
    const events = async () => {
      await search().indices.refresh({ index });
      const res = await search().search({ index, body: { query: { term: { urn } }, sort: [{ timestampMillis: 'asc' }] } });
      return (res.body.hits.hits as { _source: { timestampMillis: number } }[]).map((h) => h._source.timestampMillis);
    };
    for (const t of [1000, 2000, 3000]) {
      const res = await postJson(`${entityBase()}/dataset`, [{ urn, datasetProfile: { value: { timestampMillis: t, rowCount: t } } }]);
      expect(res.status).toBe(202);
    }
    await eventually(events, (ts) => ts.length === 3, 30000, 200);

    const res = await postJson(`${base}/entities?action=delete`, { urn, aspectName: 'datasetProfile', startTimeMillis: 1500, endTimeMillis: 2500 });
    expect([res.status, res.body]).toEqual([200, { value: { rows: 0, timeseriesRows: 1 } }]);
    expect(await events()).toEqual([1000, 3000]);

    const all = await request('DELETE', `${entityBase()}/dataset/${enc(urn)}/datasetProfile?async=false`);
    expect(all.status).toBe(200);
    expect(await events()).toEqual([]);
    const traceId = traceIdOf(all.headers.get('traceparent'));
    expect(states((await traceWrite(base, traceId, { [urn]: ['datasetProfile'] })).body, urn, 'datasetProfile')).toBe('NO_OP/ACTIVE_STATE');
  });

  it('says what was wrong with a bad delete (400), and writes nothing', async () => {
    const urn = datasetUrn('bad');
    const cases: [string, RegExp][] = [
      [`${entityBase()}/dataset/${enc(urn)}/noSuchAspect`, /unknown aspect noSuchAspect/],
      [`${entityBase()}/dataset/not-a-urn`, /urn/],
      [`${entityBase()}/chart/${enc(urn)}`, /not a chart URN/],
      [`${entityBase()}/dataset/${enc(urn)}?purge=maybe`, /purge/],
    ];
    for (const [url, message] of cases) {
      const res = await request('DELETE', url);
      expect([url, res.status]).toEqual([url, 400]);
      expect(res.body.message).toMatch(message);
    }
    expect(await rowsOf(urn)).toEqual([]);
  });
});

describe('A delete queued behind upserts of its entity', () => {
  it('is applied after them, whatever the consumer finds queued: no upsert queued before the delete survives it', async () => {
    // gms without consumers: everything waits on Kafka, in the order the API accepted it.
    const api = await AppProcess.start('gms', { RUN_CONSUMERS: '', WRITE_WAIT_MAX_MS: '1000' });
    let consumers: AppProcess | undefined;
    try {
      await api.waitHealthy();
      const urn = datasetUrn('ordering');
      const entityBase = `${api.url}/openapi/v3/entity`;
      for (let i = 0; i < 5; i++) {
        const res = await postJson(`${entityBase}/dataset`, [
          { urn, status: { value: { removed: i % 2 === 0 } }, datasetProperties: { value: { description: `v${i}` } } },
        ]);
        expect(res.status).toBe(202);
      }
      // A synchronous delete with nobody to apply it: after WRITE_WAIT_MAX_MS it answers 202, still queued.
      const res = await request('DELETE', `${entityBase}/dataset/${enc(urn)}?async=false`);
      expect(res.status).toBe(202);
      const traceId = traceIdOf(res.headers.get('traceparent'));
      expect(await rowsOf(urn)).toEqual([]);

      consumers = await AppProcess.start('gms', { RUN_CONSUMERS: 'mce,mae' });
      await consumers.waitHealthy();
      const body = await eventually(
        async () => (await traceWrite(consumers!.url, traceId, { [urn]: ['datasetKey'] })).body,
        (b) => states(b, urn, 'datasetKey') === 'ACTIVE_STATE/ACTIVE_STATE',
        60000,
        200,
      );
      expect(body[urn].datasetKey.success).toBe(true);
      const latest = (await rowsOf(urn)).filter((r) => r.version === 0);
      expect(latest.map((r) => [r.aspect, r.metadata])).toEqual([
        ['datasetKey', 'null'],
        ['datasetProperties', 'null'],
        ['status', 'null'],
      ]);
      expect((await getJson(`${consumers.url}/openapi/v3/entity/dataset/${enc(urn)}`)).status).toBe(404);
    } finally {
      await Promise.all([api.stop(), consumers?.stop()]);
    }
  });
});
