import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Settings, validateEnv } from '@lib/config';
import { kafkaConnectionOptions } from './kafka-connection';

describe('kafkaConnectionOptions', () => {
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'kafka-conn-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const options = (env: Record<string, string>) => kafkaConnectionOptions(new Settings(validateEnv(env)).kafka.security);

  it('PLAINTEXT: neither ssl nor sasl', () => {
    expect(options({})).toEqual({});
  });

  it('SSL without files: TLS that checks the brokers against the system CAs', () => {
    expect(options({ KAFKA_SECURITY_PROTOCOL: 'SSL' })).toEqual({ ssl: { rejectUnauthorized: true } });
  });

  it('SASL_SSL with SCRAM-SHA-512, a CA and a client certificate: the files read, the mechanism in kafkajs spelling', () => {
    const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');
    const cert = file('c.pem', '-----BEGIN CERTIFICATE-----\nC\n-----END CERTIFICATE-----\n');
    const key = file('k.pem', '-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n');
    const o = options({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'pw',
      KAFKA_SSL_CA_FILE: ca,
      KAFKA_SSL_CERT_FILE: cert,
      KAFKA_SSL_KEY_FILE: key,
    });
    expect(o.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'svc', password: 'pw' });
    expect(o.ssl).toEqual({
      rejectUnauthorized: true,
      ca: ['-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n'],
      cert: '-----BEGIN CERTIFICATE-----\nC\n-----END CERTIFICATE-----\n',
      key: '-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n',
    });
  });

  it.each([
    ['PLAIN', 'plain'],
    ['SCRAM-SHA-256', 'scram-sha-256'],
  ])('SASL_PLAINTEXT with %s: sasl only', (mechanism, kafkajs) => {
    const o = options({ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' });
    expect(o).toEqual({ sasl: { mechanism: kafkajs, username: 'u', password: 'p' } });
  });
});
