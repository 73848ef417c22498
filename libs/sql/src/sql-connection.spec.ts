import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Settings, validateEnv } from '@lib/config';
import { mysqlConnectionOptions } from './sql-connection';

describe('mysqlConnectionOptions', () => {
  let dir: string;
  let ca: string;
  const CA = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sql-conn-'));
    ca = join(dir, 'ca.pem');
    writeFileSync(ca, CA);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const options = (env: Record<string, string>) => mysqlConnectionOptions(new Settings(validateEnv({ MYSQL_PASSWORD: 'pw', ...env })).mysql);

  it('off: host, port, credentials and database, no ssl', () => {
    expect(options({ MYSQL_HOST: 'db', MYSQL_PORT: '3307' })).toEqual({ host: 'db', port: 3307, user: 'metadata', password: 'pw', database: 'metadata' });
  });

  it('required: encrypted, the certificate not checked', () => {
    expect(options({ MYSQL_SSL: 'required' }).ssl).toEqual({ rejectUnauthorized: false });
  });

  it('verify-ca: checked against the CA file, not the host name', () => {
    expect(options({ MYSQL_SSL: 'verify-ca', MYSQL_SSL_CA_FILE: ca }).ssl).toEqual({ rejectUnauthorized: true, verifyIdentity: false, ca: CA });
  });

  it('verify-identity: the host name too; without a CA file the system CAs', () => {
    expect(options({ MYSQL_SSL: 'verify-identity' }).ssl).toEqual({ rejectUnauthorized: true, verifyIdentity: true });
  });
});
