import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ConfigError, validateEnv } from './validate-env';
import { Settings } from './settings';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const PASSWORD = 'pa55-never-shown';

describe('secured connections: environment validation', () => {
  let dir: string;
  let ca: string;
  let cert: string;
  let key: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'env-sec-'));
    ca = join(dir, 'ca.pem');
    cert = join(dir, 'client.pem');
    key = join(dir, 'client-key.pem');
    for (const f of [ca, cert, key]) writeFileSync(f, PEM);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The one-line message validateEnv throws (it must throw a ConfigError). */
  const problem = (env: Record<string, string>): string => {
    try {
      validateEnv(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).not.toContain('\n');
      return (err as Error).message;
    }
    throw new Error('expected a configuration error');
  };

  it('defaults to plaintext everywhere, as before', () => {
    const s = new Settings(validateEnv({}));
    expect(s.kafka.security).toEqual({ protocol: 'PLAINTEXT' });
    expect(s.mysql.tls).toEqual({ mode: 'off', caFile: undefined });
    expect(s.search).toMatchObject({ username: undefined, password: undefined, caFile: undefined });
  });

  it('takes SASL_SSL with SCRAM, a CA and a client certificate', () => {
    const s = new Settings(
      validateEnv({
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'svc',
        KAFKA_SASL_PASSWORD: PASSWORD,
        KAFKA_SSL_CA_FILE: ca,
        KAFKA_SSL_CERT_FILE: cert,
        KAFKA_SSL_KEY_FILE: key,
      }),
    );
    expect(s.kafka.security).toEqual({
      protocol: 'SASL_SSL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'svc', password: PASSWORD },
      tls: { caFile: ca, certFile: cert, keyFile: key },
    });
  });

  it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])('takes SASL_PLAINTEXT with %s (no TLS)', (mechanism) => {
    const s = new Settings(
      validateEnv({ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
    );
    expect(s.kafka.security).toEqual({ protocol: 'SASL_PLAINTEXT', sasl: { mechanism, username: 'u', password: 'p' } });
  });

  it('takes SSL without a CA (the system CAs)', () => {
    expect(new Settings(validateEnv({ KAFKA_SECURITY_PROTOCOL: 'SSL' })).kafka.security).toEqual({
      protocol: 'SSL',
      tls: { caFile: undefined, certFile: undefined, keyFile: undefined },
    });
  });

  it('rejects an unknown protocol or mechanism, naming the variable', () => {
    expect(problem({ KAFKA_SECURITY_PROTOCOL: 'TLS' })).toContain('KAFKA_SECURITY_PROTOCOL="TLS": KAFKA_SECURITY_PROTOCOL must be one of');
    expect(problem({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'GSSAPI', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toContain(
      'KAFKA_SASL_MECHANISM="GSSAPI"',
    );
    expect(problem({ MYSQL_SSL: 'true' })).toContain('MYSQL_SSL="true": MYSQL_SSL must be one of');
  });

  it.each(['SASL_SSL', 'SASL_PLAINTEXT'])('%s needs a mechanism, a user name and a password', (protocol) => {
    const message = problem({ KAFKA_SECURITY_PROTOCOL: protocol });
    expect(message).toContain(`KAFKA_SASL_MECHANISM must be set when KAFKA_SECURITY_PROTOCOL=${protocol}`);
    expect(message).toContain(`KAFKA_SASL_USERNAME must be set when KAFKA_SECURITY_PROTOCOL=${protocol}`);
    expect(message).toContain(`KAFKA_SASL_PASSWORD must be set when KAFKA_SECURITY_PROTOCOL=${protocol}`);
    expect(problem({ KAFKA_SECURITY_PROTOCOL: protocol, KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'u' })).toBe(
      `Invalid configuration: KAFKA_SASL_PASSWORD must be set when KAFKA_SECURITY_PROTOCOL=${protocol}`,
    );
  });

  it('refuses SASL credentials or TLS files the protocol would silently ignore, without showing the password', () => {
    const message = problem({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD });
    expect(message).toContain('KAFKA_SASL_USERNAME is set but KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not use SASL');
    expect(message).toContain('KAFKA_SASL_PASSWORD is set but');
    expect(message).not.toContain(PASSWORD);
    expect(
      problem({
        KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
        KAFKA_SASL_MECHANISM: 'PLAIN',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
        KAFKA_SSL_CA_FILE: ca,
      }),
    ).toBe('Invalid configuration: KAFKA_SSL_CA_FILE is set but KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT does not use TLS (SSL or SASL_SSL does)');
  });

  it('wants a client certificate and its key together', () => {
    expect(problem({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: cert })).toBe(
      'Invalid configuration: KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together: set both (mutual TLS) or neither',
    );
  });

  it.each(['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE', 'MYSQL_SSL_CA_FILE', 'OPENSEARCH_SSL_CA_FILE'])(
    '%s: a missing file stops the start naming the variable and the path',
    (name) => {
      const missing = join(dir, 'nope.pem');
      expect(problem({ [name]: missing })).toBe(`Invalid configuration: ${name}=${JSON.stringify(missing)}: ${name} must be a readable PEM file: no such file`);
    },
  );

  it('a CA path that is a directory, not PEM, or unreadable is refused with the reason', () => {
    expect(problem({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: dir })).toContain('KAFKA_SSL_CA_FILE must be a readable PEM file: not a file');
    const text = join(dir, 'ca.txt');
    writeFileSync(text, 'hello');
    expect(problem({ MYSQL_SSL: 'verify-ca', MYSQL_SSL_CA_FILE: text })).toContain('MYSQL_SSL_CA_FILE must be a readable PEM file: not a PEM file');
    if (process.getuid?.() !== 0) {
      // root reads any file: the permission case only shows as another user
      const locked = join(dir, 'locked.pem');
      writeFileSync(locked, PEM);
      chmodSync(locked, 0);
      expect(problem({ MYSQL_SSL: 'verify-ca', MYSQL_SSL_CA_FILE: locked })).toContain('permission denied');
    }
  });

  it('MySQL: the modes, and a CA only where the certificate is checked', () => {
    expect(new Settings(validateEnv({ MYSQL_SSL: 'required' })).mysql.tls).toEqual({ mode: 'required', caFile: undefined });
    expect(new Settings(validateEnv({ MYSQL_SSL: 'verify-identity', MYSQL_SSL_CA_FILE: ca })).mysql.tls).toEqual({ mode: 'verify-identity', caFile: ca });
    expect(problem({ MYSQL_SSL_CA_FILE: ca })).toBe(
      "Invalid configuration: MYSQL_SSL_CA_FILE is set but MYSQL_SSL=off does not check the server's certificate (verify-ca or verify-identity does)",
    );
  });

  it('OpenSearch: user name and password together, a CA only with https', () => {
    const s = new Settings(
      validateEnv({ OPENSEARCH_URL: 'https://search:9200', OPENSEARCH_USERNAME: 'svc', OPENSEARCH_PASSWORD: PASSWORD, OPENSEARCH_SSL_CA_FILE: ca }),
    );
    expect(s.search).toMatchObject({ url: 'https://search:9200', username: 'svc', password: PASSWORD, caFile: ca });
    expect(problem({ OPENSEARCH_USERNAME: 'svc' })).toBe('Invalid configuration: OPENSEARCH_PASSWORD must be set with OPENSEARCH_USERNAME');
    const message = problem({ OPENSEARCH_PASSWORD: PASSWORD });
    expect(message).toBe('Invalid configuration: OPENSEARCH_USERNAME must be set with OPENSEARCH_PASSWORD');
    expect(problem({ OPENSEARCH_SSL_CA_FILE: ca })).toBe('Invalid configuration: OPENSEARCH_SSL_CA_FILE is set but OPENSEARCH_URL is not https');
  });

  it('never shows a password or secret value, even when it is the malformed one', () => {
    const message = problem({ AUTH_JWT_SECRET: 'short-secret-value' });
    expect(message).toBe('Invalid configuration: AUTH_JWT_SECRET=<hidden>: AUTH_JWT_SECRET must be at least 32 characters');
  });
});
