import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from '@opensearch-project/opensearch';
import { inspect } from 'util';
import { Settings, validateEnv } from '@lib/config';
import { searchClientOptions } from './search-connection';

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
