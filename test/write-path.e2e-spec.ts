import { AppProcess, freePort } from './support/app-process';
import { postJson, getJson, request } from './support/http';
import { eventually } from './support/poll';
import { stackEnv } from './support/stack-env';
import { kafka, search, sqlConnection } from './support/stores';
import { messageCount, messagesWithKey } from './support/topics';

const env = stackEnv();
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const datasetUrn = (name: string) => `urn:li:dataset:(urn:li:dataPlatform:hive,e2e_${run}.${name},PROD)`;
const enc = encodeURIComponent;

async function latestRow(urn: string, aspect: string) {
  const sql = await sqlConnection();
  try {
    const [rows] = await sql.query(
      'SELECT version, metadata, systemmetadata, createdby FROM metadata_aspect_v2 WHERE urn = ? AND aspect = ? ORDER BY version',
      [urn, aspect],
    );
    return rows as { version: string; metadata: string; systemmetadata: string; createdby: string }[];
  } finally {
    await sql.end();
  }
}

const traceIdOf = (traceparent: string | null) => traceparent?.split('-')[1];

describe('write path on the real stack', () => {
  let gms: AppProcess;
  let base: string;

  beforeAll(async () => {
    gms = await AppProcess.start('gms', { RUN_CONSUMERS: 'mce,mae', MAX_REQUEST_BYTES: '65536', MAX_ASPECT_BYTES: '16384' });
    await gms.waitHealthy();
    base = `${gms.url}/openapi/v3/entity`;
  });

  afterAll(async () => {
    await gms?.stop();
  });

  it('accepts an async write with 202 and a traceparent whose trace id is the telemetryTraceId, and stores it in MySQL and OpenSearch', async () => {
    const urn = datasetUrn('async');
    const res = await postJson(`${base}/dataset?systemMetadata=true`, [{ urn, status: { value: { removed: false } } }]);
    expect(res.status).toBe(202);
    const traceparent = res.headers.get('traceparent');
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const traceId = traceIdOf(traceparent);
    expect(res.body[0].urn).toBe(urn);
    expect(res.body[0].status.systemMetadata.properties.telemetryTraceId).toBe(traceId);

    const rows = await eventually(
      () => latestRow(urn, 'status'),
      (r) => r.length === 1,
    );
    const sm = JSON.parse(rows[0].systemmetadata);
    expect(sm.properties.telemetryTraceId).toBe(traceId);
    expect(sm.version).toBe('1');
    expect(JSON.parse(rows[0].metadata)).toEqual({ removed: false });

    const client = search();
    const doc = await eventually(
      async () =>
        (
          await client.search({
            index: `${env.OPENSEARCH_INDEX_PREFIX}system_metadata_service_v1`,
            body: { query: { bool: { filter: [{ term: { urn } }, { term: { aspect: 'status' } }] } } },
          })
        ).body.hits.hits,
      (hits) => hits.length === 1,
      30000,
      500,
    );
    expect((doc[0]._source as { telemetryTraceId: string }).telemetryTraceId).toBe(traceId);
    await client.close();
  });

  it('continues an incoming traceparent', async () => {
    const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await request('POST', `${base}/dataset`, [{ urn: datasetUrn('continued'), status: { value: { removed: false } } }], { traceparent: incoming });
    expect(res.status).toBe(202);
    expect(traceIdOf(res.headers.get('traceparent'))).toBe('0af7651916cd43dd8448eb211c80319c');
    const bad = await request('POST', `${base}/dataset`, [{ urn: datasetUrn('continued'), status: { value: { removed: false } } }], { traceparent: 'garbage' });
    expect(bad.status).toBe(202);
    expect(traceIdOf(bad.headers.get('traceparent'))).not.toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('keeps version history, marks a repeated value as a no-op, and lists the audit trail', async () => {
    const urn = datasetUrn('history');
    const write = (description: string) => postJson(`${base}/dataset`, [{ urn, datasetProperties: { value: { description, customProperties: {} } } }]);
    expect((await write('first')).status).toBe(202);
    await eventually(
      () => latestRow(urn, 'datasetProperties'),
      (r) => r.length === 1,
    );
    expect((await write('second')).status).toBe(202);
    const rows = await eventually(
      () => latestRow(urn, 'datasetProperties'),
      (r) => r.length === 2,
    );
    expect(rows.map((r) => Number(r.version))).toEqual([0, 1]);
    expect(JSON.parse(rows[0].metadata).description).toBe('second');
    expect(JSON.parse(rows[1].metadata).description).toBe('first');
    expect(JSON.parse(rows[0].systemmetadata).version).toBe('2');

    const again = await write('second');
    const noopTrace = traceIdOf(again.headers.get('traceparent'));
    const after = await eventually(
      () => latestRow(urn, 'datasetProperties'),
      (r) => JSON.parse(r[0].systemmetadata).properties.telemetryTraceId === noopTrace,
    );
    expect(after).toHaveLength(2);
    expect(JSON.parse(after[0].systemmetadata).properties.isNoOp).toBe('true');
    expect(JSON.parse(after[0].systemmetadata).version).toBe('2');

    const audit = await getJson(`${base}/dataset/${enc(urn)}/datasetProperties/versions`);
    expect(audit.status).toBe(200);
    expect(audit.body.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(audit.body[1].previousValue.description).toBe('first');
    expect(audit.body[1].value.description).toBe('second');
    expect(audit.body[1].createdBy).toMatch(/^urn:li:corpuser:/);
  });

  it('sends a proposal failing If-Version-Match to the failed topic with the expected message', async () => {
    const urn = datasetUrn('conditional');
    const res = await postJson(`${base}/dataset`, [
      {
        urn,
        glossaryTerms: {
          value: { terms: [{ urn: 'urn:li:glossaryTerm:Sensitive' }], auditStamp: { time: 1, actor: 'urn:li:corpuser:e2e' } },
          headers: { 'If-Version-Match': '-10000' },
        },
      },
    ]);
    expect(res.status).toBe(202);
    const failed = await eventually(
      () => messagesWithKey(kafka(), env.TOPIC_FAILED_MCP, urn),
      (m) => m.length === 1,
      30000,
      1000,
    );
    const body = JSON.parse(failed[0].value);
    expect(JSON.parse(body.error)[0].message).toBe('Expected version -10000, actual version -1');
    expect(body.metadataChangeProposal.entityUrn).toBe(urn);
    expect(body.metadataChangeProposal.systemMetadata.properties.telemetryTraceId).toBe(traceIdOf(res.headers.get('traceparent')));
    expect(await latestRow(urn, 'glossaryTerms')).toHaveLength(0);
  });

  it('sends a timeseries aspect straight to its change-log topic and index, never to SQL', async () => {
    const urn = datasetUrn('profile');
    const res = await postJson(`${base}/dataset`, [{ urn, datasetProfile: { value: { timestampMillis: Date.now(), rowCount: 42, columnCount: 3 } } }]);
    expect(res.status).toBe(202);
    const traceId = traceIdOf(res.headers.get('traceparent'));
    const logs = await eventually(
      () => messagesWithKey(kafka(), env.TOPIC_MCL_TIMESERIES, urn),
      (m) => m.length === 1,
      30000,
      1000,
    );
    expect(JSON.parse(logs[0].value).systemMetadata.properties.telemetryTraceId).toBe(traceId);
    expect(logs[0].headers.traceparent).toContain(traceId);
    expect(await latestRow(urn, 'datasetProfile')).toHaveLength(0);
    const client = search();
    await eventually(
      async () =>
        (
          await client.search({
            index: `${env.OPENSEARCH_INDEX_PREFIX}dataset_datasetprofileaspect_v1`,
            body: { query: { term: { telemetryTraceId: traceId } } },
          })
        ).body.hits.hits,
      (hits) => hits.length === 1,
      30000,
      500,
    );
    await client.close();
  });

  it('writes synchronously: readable at once, conditional writes answered with 412', async () => {
    const urn = datasetUrn('sync');
    const first = await postJson(`${base}/dataset/${enc(urn)}/status?systemMetadata=true`, { value: { removed: true } });
    expect(first.status).toBe(200);
    expect(first.body.status.systemMetadata.version).toBe('1');
    const read = await getJson(`${base}/dataset/${enc(urn)}/status`);
    expect(read.status).toBe(200);
    expect(read.body.value).toEqual({ removed: true });

    const conflict = await request('POST', `${base}/dataset/${enc(urn)}/status`, { value: { removed: false } }, { 'If-Version-Match': '7' });
    expect(conflict.status).toBe(412);
    expect(conflict.body.message).toBe('Expected version 7, actual version 1');
    const ok = await request('POST', `${base}/dataset/${enc(urn)}/status`, { value: { removed: false } }, { 'If-Version-Match': '1' });
    expect(ok.status).toBe(200);

    const onlyExisting = await postJson(`${base}/dataset/${enc(datasetUrn('missing'))}/status?createIfNotExists=false`, { value: { removed: false } });
    expect(onlyExisting.status).toBe(412);
    const onlyNewEntity = await postJson(`${base}/dataset/${enc(urn)}/datasetProperties?createIfEntityNotExists=true`, { value: { customProperties: {} } });
    expect(onlyNewEntity.status).toBe(412);

    const entity = await getJson(`${base}/dataset/${enc(urn)}?systemMetadata=true`);
    expect(entity.body.status.value).toEqual({ removed: false });
    expect(entity.body.status.systemMetadata.version).toBe('2');
  });

  describe('bad input gets a 4xx naming what is wrong, and produces nothing', () => {
    const good = () => [{ urn: datasetUrn('bad'), status: { value: { removed: false } } }];
    const cases: [string, () => Promise<{ status: number; body: { message: string } }>, number, RegExp][] = [
      ['malformed JSON', () => request('POST', `${base}/dataset`, '[{"urn": '), 400, /JSON|Unexpected|position/i],
      [
        'a value failing its schema',
        () => postJson(`${base}/dataset`, [{ urn: datasetUrn('bad'), status: { value: { removed: 'yes' } } }]),
        400,
        /status\.removed must be boolean/,
      ],
      ['an unknown entity type', () => postJson(`${base}/spaceship`, good()), 400, /unknown entity type spaceship/],
      ['an unknown aspect', () => postJson(`${base}/dataset`, [{ urn: datasetUrn('bad'), warpDrive: { value: {} } }]), 400, /unknown aspect warpDrive/],
      [
        'a malformed URN',
        () => postJson(`${base}/dataset`, [{ urn: 'urn:li:dataset:(unclosed', status: { value: { removed: false } } }]),
        400,
        /body\[0\]\.urn/,
      ],
      [
        'a URN of another entity type',
        () => postJson(`${base}/dataset`, [{ urn: 'urn:li:chart:(looker,c1)', status: { value: { removed: false } } }]),
        400,
        /is a chart URN, not a dataset URN/,
      ],
      ['an empty batch', () => postJson(`${base}/dataset`, []), 400, /at least one entity/],
      ['a body that is not an array', () => postJson(`${base}/dataset`, { urn: 'x' }), 400, /JSON array/],
      ['a missing value', () => postJson(`${base}/dataset`, [{ urn: datasetUrn('bad'), status: {} }]), 400, /status\.value is required/],
      ['a bad async flag', () => postJson(`${base}/dataset?async=maybe`, good()), 400, /async must be true or false/],
      [
        'a bad If-Version-Match',
        () => postJson(`${base}/dataset`, [{ urn: datasetUrn('bad'), status: { value: { removed: false }, headers: { 'If-Version-Match': 'x' } } }]),
        400,
        /If-Version-Match must be a whole number/,
      ],
      [
        'an aspect value over MAX_ASPECT_BYTES',
        () => postJson(`${base}/dataset`, [{ urn: datasetUrn('bad'), datasetProperties: { value: { description: 'x'.repeat(20000), customProperties: {} } } }]),
        413,
        /body\[0\]\.datasetProperties\.value is too large: \d+ bytes as JSON, at most 16384/,
      ],
      [
        'a timestamp beyond what a long holds exactly',
        () => postJson(`${base}/dataset`, [{ urn: datasetUrn('bad'), datasetProfile: { value: { timestampMillis: 1e300 } } }]),
        400,
        /timestampMillis must be <= 9007199254740991/,
      ],
      [
        'a versions limit of 0',
        () => getJson(`${base}/dataset/${enc(datasetUrn('bad'))}/status/versions?limit=0`),
        400,
        /limit must be a whole number from 1 to 1000, not 0/,
      ],
      [
        'an oversized body',
        () => postJson(`${base}/dataset`, [{ urn: datasetUrn('bad'), datasetProperties: { value: { description: 'x'.repeat(70000) } } }]),
        413,
        /too large/i,
      ],
    ];

    it.each(cases)('%s', async (_name, send, status, message) => {
      const before = await messageCount(kafka(), env.TOPIC_MCP);
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.body.message).toMatch(message);
      expect(await messageCount(kafka(), env.TOPIC_MCP)).toBe(before);
    });
  });
});

describe('write path with Kafka unreachable', () => {
  it('answers 503 within a bounded time and writes nothing', async () => {
    const closed = await freePort();
    const gms = await AppProcess.start('gms', { KAFKA_BROKERS: `127.0.0.1:${closed}`, KAFKA_PRODUCE_TIMEOUT_MS: '2000', SETUP_ON_START: 'false' });
    try {
      await eventually(
        () => getJson(`${gms.url}/health`),
        (r) => r.status === 503,
        30000,
      );
      const urn = datasetUrn('nokafka');
      const started = Date.now();
      const res = await postJson(`${gms.url}/openapi/v3/entity/dataset`, [{ urn, status: { value: { removed: false } } }]);
      expect(res.status).toBe(503);
      expect(res.body.message).toMatch(/Kafka/);
      expect(Date.now() - started).toBeLessThan(10000);
      const sync = await postJson(`${gms.url}/openapi/v3/entity/dataset/${enc(urn)}/status`, { value: { removed: false } });
      expect(sync.status).toBe(503);
      expect(await latestRow(urn, 'status')).toHaveLength(0);
    } finally {
      await gms.stop();
    }
  });
});
