import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from '@opensearch-project/opensearch';
import { inspect } from 'util';
import { Settings, validateEnv } from '@lib/config';
import { explainSearchRefusal, searchClientOptions } from './search-connection';

describe('searchClientOptions', () => {
  let dir: string;
  let ca: string;
  const CA = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'search-conn-'));
    ca = join(dir, 'ca.pem');
    writeFileSync(ca, CA);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const options = (env: Record<string, string>) => searchClientOptions(new Settings(validateEnv(env)).search);

  it('plain http: the node only', () => {
    expect(options({})).toEqual({ node: 'http://127.0.0.1:9200' });
  });

  it('https with basic authentication and a CA file', () => {
    expect(options({ OPENSEARCH_URL: 'https://search:9200', OPENSEARCH_USERNAME: 'svc', OPENSEARCH_PASSWORD: 'pw', OPENSEARCH_SSL_CA_FILE: ca })).toEqual({
      node: 'https://search:9200',
      auth: { username: 'svc', password: 'pw' },
      ssl: { ca: CA, rejectUnauthorized: true },
    });
  });

  it('the client made with them does not show the password when inspected or serialised', async () => {
    const client = new Client(options({ OPENSEARCH_URL: 'https://search:9200', OPENSEARCH_USERNAME: 'svc', OPENSEARCH_PASSWORD: 'secret-pw-xyz' }));
    const connections = (client as unknown as { connectionPool: { connections: unknown[] } }).connectionPool.connections;
    expect(inspect(connections, { depth: 5 })).not.toContain('secret-pw-xyz');
    expect(JSON.stringify(connections)).not.toContain('secret-pw-xyz');
    expect(JSON.stringify(connections)).not.toContain(Buffer.from('svc:secret-pw-xyz').toString('base64'));
    await client.close();
  });
});

describe('explainSearchRefusal', () => {
  const refusal = (statusCode: number, message = 'Response Error') => Object.assign(new Error(message), { name: 'ResponseError', meta: { statusCode } });
  const search = (username?: string) => ({ url: 'https://s:9200', indexPrefix: '', replicas: 0, username, password: username && 'pw' });

  it('names the variables to check for a 401, with or without credentials configured, and never a value', () => {
    const withCredentials = refusal(401);
    explainSearchRefusal(withCredentials, search('svc'));
    expect(withCredentials.message).toBe('OpenSearch refused the credentials (401 Unauthorized): check OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD');
    const without = refusal(401);
    explainSearchRefusal(without, search());
    expect(without.message).toBe('OpenSearch requires authentication (401 Unauthorized): set OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD');
  });

  it('keeps the error type of a 403, and leaves other errors alone', () => {
    const forbidden = refusal(403, 'security_exception');
    explainSearchRefusal(forbidden, search('svc'));
    expect(forbidden.message).toBe('OpenSearch refused the request (403 Forbidden: security_exception): the user OPENSEARCH_USERNAME names lacks a permission');
    const notFound = refusal(404, 'index_not_found_exception');
    explainSearchRefusal(notFound, search('svc'));
    expect(notFound.message).toBe('index_not_found_exception');
    const other = new Error('connect ECONNREFUSED');
    explainSearchRefusal(other, search('svc'));
    expect(other.message).toBe('connect ECONNREFUSED');
  });
});
