import { AppProcess, freePort } from './support/app-process';
import { getJson, JsonResponse } from './support/http';
import { stackEnv } from './support/stack-env';
import { kafka, search, sqlConnection } from './support/stores';

describe('foundation: the apps on the real stack', () => {
  const env = stackEnv();
  let gms: AppProcess;

  beforeAll(async () => {
    gms = await AppProcess.start('gms');
    await gms.waitHealthy();
  });

  afterAll(async () => {
    await gms?.stop();
  });

  it('answers health with the state of each dependency', async () => {
    const { status, body } = await getJson(`${gms.url}/health`);
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    for (const dep of ['kafka', 'mysql', 'opensearch', 'schema']) expect(body.info[dep].status).toBe('up');
    expect(body.info.opensearch.status).toBe('up');
    expect(body.info.mysql.version).toEqual(expect.any(String));
  });

  it('answers every response with a JSON error body for an unknown route', async () => {
    const res = await getJson(`${gms.url}/no/such/route`);
    expect(res.status).toBe(404);
    expect(res.body.message).toContain('Cannot GET /no/such/route');
  });

  it('serves Swagger UI and the OpenAPI document', async () => {
    const ui = await fetch(`${gms.url}/openapi/swagger-ui`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const doc = await getJson(`${gms.url}/openapi/v3/api-docs`);
    expect(doc.status).toBe(200);
    const json = doc.body;
    expect(json.openapi).toMatch(/^3\./);
    expect(Object.keys(json.paths)).toContain('/health');
  });

  it('created the aspect table with the contract columns', async () => {
    const sql = await sqlConnection();
    try {
      const [rows] = await sql.query(
        'SELECT COLUMN_NAME AS c, DATA_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
        [env.MYSQL_DATABASE, 'metadata_aspect_v2'],
      );
      expect((rows as { c: string; t: string }[]).map((r) => `${r.c}:${r.t}`)).toEqual([
        'urn:varchar',
        'aspect:varchar',
        'version:bigint',
        'metadata:longtext',
        'systemmetadata:longtext',
        'createdon:datetime',
        'createdby:varchar',
        'createdfor:varchar',
      ]);
      const [keys] = await sql.query(
        "SELECT COLUMN_NAME AS c FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
        [env.MYSQL_DATABASE, 'metadata_aspect_v2'],
      );
      expect((keys as { c: string }[]).map((k) => k.c)).toEqual(['urn', 'aspect', 'version']);
    } finally {
      await sql.end();
    }
  });

  it('created the four topics, partitioned', async () => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      const topics = [env.TOPIC_MCP, env.TOPIC_FAILED_MCP, env.TOPIC_MCL_VERSIONED, env.TOPIC_MCL_TIMESERIES];
      const meta = await admin.fetchTopicMetadata({ topics });
      expect(meta.topics.map((t) => t.name).sort()).toEqual([...topics].sort());
      for (const t of meta.topics) expect(t.partitions).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }
  });

  it('created the system-metadata index with its explicit mapping', async () => {
    const client = search();
    const index = `${env.OPENSEARCH_INDEX_PREFIX}system_metadata_service_v1`;
    const mapping = await client.indices.getMapping({ index });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const props = mapping.body[index].mappings.properties as any;
    expect(props.telemetryTraceId.type).toBe('keyword');
    expect(props.lastUpdated.type).toBe('long');
    const settings = await client.indices.getSettings({ index });
    expect(settings.body[index].settings?.index?.number_of_replicas).toBe('0');
    await client.close();
  });

  it('runs setup again idempotently as a one-shot command', async () => {
    const setup = await AppProcess.start('gms', {}, ['--setup']);
    expect(await setup.waitForExit(60000)).toBe(0);
    expect(setup.output).toContain('schema setup complete');
  });
});

describe('foundation: consumers', () => {
  it.each(['mce-consumer', 'mae-consumer'] as const)('%s joins its group, reports health and stops cleanly on SIGTERM', async (name) => {
    const app = await AppProcess.start(name);
    try {
      const health = (await app.waitHealthy()) as { info: Record<string, { status: string; groupId?: string; joined?: boolean }> };
      const consumer = health.info[name];
      expect(consumer.status).toBe('up');
      expect(consumer.joined).toBe(true);
      expect(consumer.groupId).toBe(name === 'mce-consumer' ? stackEnv().MCE_CONSUMER_GROUP : stackEnv().MAE_CONSUMER_GROUP);
    } finally {
      expect(await app.stop('SIGTERM', 30000)).toBe(0);
    }
  });
});

describe('foundation: bad configuration and unreachable dependencies', () => {
  it.each([
    ['gms', 'PORT', 'not-a-port'],
    ['gms', 'KAFKA_BROKERS', 'no-port-here'],
    ['mce-consumer', 'MYSQL_PORT', '-1'],
    ['mae-consumer', 'OPENSEARCH_URL', 'opensearch'],
  ] as const)('%s with %s=%s exits non-zero naming the variable', async (name, variable, value) => {
    const app = await AppProcess.start(name, { [variable]: value });
    const code = await app.waitForExit(30000);
    expect(code).not.toBe(0);
    expect(app.output).toContain(`Invalid configuration: ${variable}=`);
    expect(app.output.trim().split('\n')).toHaveLength(1);
  });

  it('keeps running, retrying with backoff, and answers 503 naming the dependency that is down', async () => {
    const closedPort = await freePort();
    const app = await AppProcess.start('gms', { OPENSEARCH_URL: `http://127.0.0.1:${closedPort}` });
    try {
      let res: JsonResponse | undefined;
      for (let i = 0; i < 100; i++) {
        try {
          res = await getJson(`${app.url}/health`);
          if (res.status === 503) break;
        } catch {
          /* not listening yet */
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(res?.status).toBe(503);
      const body = res!.body;
      expect(body.error.opensearch.status).toBe('down');
      expect(body.info.kafka.status).toBe('up');
      expect(body.info.mysql.status).toBe('up');
      // Still alive and still retrying a few seconds later: no crash loop.
      await new Promise((r) => setTimeout(r, 3000));
      expect(app.exitCode).toBeNull();
      expect(app.output).toMatch(/opensearch setup attempt \d+ failed/);
    } finally {
      expect(await app.stop()).toBe(0);
    }
  });
});
