import { existsSync, readFileSync } from 'fs';
import { connect } from 'net';
import { join } from 'path';
import { systemMetadataDocId } from '@lib/search';
import { AppProcess } from './support/app-process';
import { getJson, request } from './support/http';
import { dropNamespace, ownNamespace } from './support/namespace';
import { eventually } from './support/poll';
import { REPO_ROOT } from './support/stack-env';
import { kafka, search, sqlConnection } from './support/stores';
import { states, traceIdOf, traceWrite } from './support/trace-client';

/**
 * The secured endpoints `docker/local/stack.sh up` makes (STACK_SECURE_SEARCH=1 for OpenSearch): a CA, test
 * credentials and addresses, in <stack>/secure/secure.env.
 */
function securedStack(): Record<string, string> {
  const file = join(process.env.STACK_DIR ?? join(REPO_ROOT, '.stack'), 'secure', 'secure.env');
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: start the stack with 'STACK_SECURE_SEARCH=1 bash docker/local/stack.sh up' (npm test does)`);
  }
  const values: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) values[m[1]] = m[2];
  }
  return values;
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const urnOf = (name: string) => `urn:li:dataset:(urn:li:dataPlatform:hive,secured_${run}.${name},PROD)`;

/**
 * The service against secured stores, on the real stack: Kafka through its SASL_SSL listener (SCRAM-SHA-512, the
 * broker's certificate checked against the stack's CA), MySQL over TLS as a user the server refuses without it, and
 * the OpenSearch node with the security plugin (https, basic auth). Then what an operator sees when a secret or a
 * file is wrong: a clear error, never the password.
 */
describe('secured connections (TLS, SASL, basic auth)', () => {
  const stack = securedStack();
  const ca = stack.STACK_CA_FILE;
  const passwords = [stack.KAFKA_SASL_PASSWORD, stack.OPENSEARCH_PASSWORD];
  /** Topics, groups and index prefix of this run's own; every store reached through its secured endpoint. */
  const env: Record<string, string> = {
    ...ownNamespace(`_sec${run}`),
    KAFKA_BROKERS: stack.KAFKA_SASL_SSL_BROKERS,
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: stack.KAFKA_SASL_USERNAME,
    KAFKA_SASL_PASSWORD: stack.KAFKA_SASL_PASSWORD,
    KAFKA_SSL_CA_FILE: ca,
    MYSQL_USER: stack.MYSQL_TLS_USER,
    MYSQL_SSL: 'verify-identity',
    MYSQL_SSL_CA_FILE: ca,
    OPENSEARCH_URL: stack.OPENSEARCH_SECURE_URL,
    OPENSEARCH_USERNAME: stack.OPENSEARCH_USERNAME,
    OPENSEARCH_PASSWORD: stack.OPENSEARCH_PASSWORD,
    OPENSEARCH_SSL_CA_FILE: ca,
  };
  const started: AppProcess[] = [];
  const start = async (name: Parameters<typeof AppProcess.start>[0], extra: Record<string, string> = {}) => {
    const app = await AppProcess.start(name, { ...env, ...extra });
    started.push(app);
    return app;
  };
  const expectNoPassword = (text: string, ...more: string[]) => {
    for (const secret of [...passwords, ...more]) expect(text).not.toContain(secret);
  };

  // A stack started by an older stack.sh (still running, reused by `up`) lacks the secured endpoints: say how to fix it.
  beforeAll(async () => {
    const restart = (part: string) => `bash docker/local/stack.sh stop ${part} && STACK_SECURE_SEARCH=1 bash docker/local/stack.sh up`;
    const [host, port] = stack.KAFKA_SASL_SSL_BROKERS.split(':');
    if (!(await portOpen(host, Number(port)))) throw new Error(`Kafka has no SASL_SSL listener on ${stack.KAFKA_SASL_SSL_BROKERS}: ${restart('kafka')}`);
    const sql = await sqlConnection(env).catch((err: Error) => {
      throw new Error(`MySQL over TLS as ${env.MYSQL_USER} failed (${err.message}): ${restart('mysql')}`);
    });
    await sql.end();
    const client = search(env);
    await client.cluster.health().catch((err: Error) => {
      throw new Error(
        `the secured OpenSearch node at ${stack.OPENSEARCH_SECURE_URL} does not answer (${err.message}): bash docker/local/stack.sh up-secure-search`,
      );
    });
    await client.close();
  });

  afterAll(async () => {
    await Promise.all(started.map((a) => a.stop()));
    await dropNamespace(env).catch(() => undefined);
  });

  it('reaches each secured endpoint with the clients the apps use: SASL PLAIN, SCRAM-SHA-256/512, mutual TLS, MySQL TLS', async () => {
    for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']) {
      const admin = kafka({ ...env, KAFKA_SASL_MECHANISM: mechanism }).admin();
      await admin.connect();
      expect(Array.isArray(await admin.listTopics())).toBe(true);
      await admin.disconnect();
    }
    const mtls = kafka({
      ...env,
      KAFKA_BROKERS: stack.KAFKA_SSL_BROKERS,
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_SASL_MECHANISM: '',
      KAFKA_SASL_USERNAME: '',
      KAFKA_SASL_PASSWORD: '',
      KAFKA_SSL_CERT_FILE: stack.STACK_CLIENT_CERT_FILE,
      KAFKA_SSL_KEY_FILE: stack.STACK_CLIENT_KEY_FILE,
    }).admin();
    await mtls.connect();
    expect(Array.isArray(await mtls.listTopics())).toBe(true);
    await mtls.disconnect();

    const sql = await sqlConnection(env);
    const [rows] = await sql.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
    expect((rows as { Value: string }[])[0].Value).toMatch(/\S/);
    await sql.end();
    // The TLS user is refused without TLS: the apps' connections below are encrypted, or they would fail.
    await expect(sqlConnection({ ...env, MYSQL_SSL: 'off', MYSQL_SSL_CA_FILE: '' })).rejects.toThrow(/Access denied/);

    const client = search(env);
    const health = await client.cluster.health();
    expect(['green', 'yellow']).toContain(health.body.status);
    await client.close();
  });

  it('an async write through SASL_SSL Kafka, MySQL over TLS and the secured OpenSearch traces ACTIVE_STATE in both stores', async () => {
    const [gms, mce, mae] = await Promise.all([start('gms'), start('mce-consumer'), start('mae-consumer')]);
    await Promise.all([gms.waitHealthy(), mce.waitHealthy(), mae.waitHealthy()]);

    const urn = urnOf('write');
    const res = await request('POST', `${gms.url}/openapi/v3/entity/dataset`, [{ urn, status: { value: { removed: false } } }]);
    expect(res.status).toBe(202);
    const traceId = traceIdOf(res.headers.get('traceparent'));
    const trace = await eventually(
      () => traceWrite(gms.url, traceId, { [urn]: ['status'] }),
      (r) => r.status === 200 && states(r.body, urn, 'status') === 'ACTIVE_STATE/ACTIVE_STATE',
      60000,
      300,
    );
    expect(trace.body[urn].status.success).toBe(true);

    // In each store, read back through its secured endpoint.
    const sql = await sqlConnection(env);
    const [rows] = await sql.query('SELECT metadata FROM metadata_aspect_v2 WHERE urn = ? AND aspect = ? AND version = 0', [urn, 'status']);
    expect(JSON.parse((rows as { metadata: string }[])[0].metadata)).toEqual({ removed: false });
    await sql.end();
    const client = search(env);
    const doc = await client.get({ index: `${env.OPENSEARCH_INDEX_PREFIX}system_metadata_service_v1`, id: systemMetadataDocId(urn, 'status') });
    expect(doc.body._source).toMatchObject({ urn, aspect: 'status' });
    await client.close();

    for (const app of [gms, mce, mae]) expectNoPassword(app.output);
    await Promise.all([gms.stop(), mce.stop(), mae.stop()]);
  });

  it('a wrong SASL or OpenSearch password: health and the log name the failed authentication, never a password', async () => {
    const wrong = `wrong-${run}-pw`;
    const gms = await start('gms', { KAFKA_SASL_PASSWORD: wrong, OPENSEARCH_PASSWORD: `${wrong}-os` });
    const health = await eventually(
      () => getJson(`${gms.url}/health`),
      (r) => r.status === 503 && /authentication failed/i.test(JSON.stringify(r.body)),
      60000,
      500,
    );
    const text = JSON.stringify(health.body);
    expect(text).toMatch(/SASL SCRAM SHA512 authentication failed/);
    expect(text).toContain('OpenSearch refused the credentials (401 Unauthorized): check OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD');
    // a write cannot be queued: 503, and it says why without a secret
    const res = await request('POST', `${gms.url}/openapi/v3/entity/dataset`, [{ urn: urnOf('refused'), status: { value: { removed: false } } }]);
    expect(res.status).toBe(503);
    await eventually(
      async () => gms.output,
      (out) => /SASL SCRAM SHA512 authentication failed/.test(out),
      30000,
      500,
    );
    expectNoPassword(text + JSON.stringify(res.body) + gms.output, wrong);
    await gms.stop();
    expectNoPassword(gms.output, wrong);
  });

  it.each([
    ['gms', 'KAFKA_SSL_CA_FILE'],
    ['mce-consumer', 'MYSQL_SSL_CA_FILE'],
    ['mae-consumer', 'OPENSEARCH_SSL_CA_FILE'],
  ] as const)('%s with %s naming a missing file stops at start-up (exit 78) naming the variable', async (name, variable) => {
    const missing = join(REPO_ROOT, '.stack', 'secure', `no-such-${run}.pem`);
    const app = await start(name, { [variable]: missing });
    expect(await app.waitForExit(30000)).toBe(78);
    expect(app.output).toContain(`${variable}=${JSON.stringify(missing)}: ${variable} must be a readable PEM file: no such file`);
    expectNoPassword(app.output);
  });

  it('SASL without its password stops at start-up naming the variable', async () => {
    const app = await start('gms', { KAFKA_SASL_PASSWORD: '' });
    expect(await app.waitForExit(30000)).toBe(78);
    expect(app.output).toContain('KAFKA_SASL_PASSWORD must be set when KAFKA_SECURITY_PROTOCOL=SASL_SSL');
    expectNoPassword(app.output);
  });
});
