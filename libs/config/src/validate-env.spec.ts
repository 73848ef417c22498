import { availableParallelism } from 'os';
import { validateEnv, ConfigError, requireAuthKey } from './validate-env';
import { Settings } from './settings';

const NO_AUTH = {};

describe('validateEnv', () => {
  it('gives the local defaults for an empty environment', () => {
    const s = new Settings(validateEnv({ ...NO_AUTH }));
    expect(s.http.port).toBe(8080);
    expect(s.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(s.topics.mcp).toBe('MetadataChangeProposal_v1');
    expect(s.groups.mce).toBe('generic-mce-consumer-job-client');
    expect(s.groups.mae).toBe('generic-mae-consumer-job-client');
    expect(s.search.url).toBe('http://127.0.0.1:9200');
    expect(s.kafka.partitions).toBeGreaterThan(1);
    expect(s.embeddedConsumers).toEqual([]);
  });

  it('converts numbers, booleans and lists', () => {
    const s = new Settings(validateEnv({ ...NO_AUTH, PORT: '9000', SETUP_ON_START: 'false', RUN_CONSUMERS: 'mce,mae', KAFKA_BROKERS: 'a:1,b:2' }));
    expect(s.http.port).toBe(9000);
    expect(s.setupOnStart).toBe(false);
    expect(s.embeddedConsumers).toEqual(['mce', 'mae']);
    expect(s.kafka.brokers).toEqual(['a:1', 'b:2']);
  });

  it('requires a signing secret (or JWKS URL) while authentication is on, which it is by default', () => {
    expect(() => requireAuthKey(validateEnv({}))).toThrow('AUTH_JWT_SECRET (or AUTH_JWKS_URL) must be set while AUTH_ENABLED=true');
    expect(() => requireAuthKey(validateEnv({ AUTH_ENABLED: 'false' }))).not.toThrow();
    expect(() => validateEnv({ AUTH_JWT_SECRET: 'short' })).toThrow('AUTH_JWT_SECRET must be at least 32 characters');
    const s = new Settings(validateEnv({ AUTH_JWT_SECRET: 'x'.repeat(32) }));
    expect(s.auth).toMatchObject({ enabled: true, jwtSecret: 'x'.repeat(32) });
  });

  it('names the kind of value expected before its range', () => {
    expect(() => validateEnv({ PORT: 'abc' })).toThrow('PORT="abc": PORT must be an integer number');
  });

  it('runs the HTTP service on every core by default (at most 64), or on GMS_WORKERS processes', () => {
    expect(new Settings(validateEnv({})).http.workers).toBe(Math.min(64, availableParallelism()));
    expect(new Settings(validateEnv({ GMS_WORKERS: '1' })).http.workers).toBe(1);
    expect(new Settings(validateEnv({ GMS_WORKERS: '64' })).http.workers).toBe(64);
    expect(() => validateEnv({ GMS_WORKERS: '0' })).toThrow('GMS_WORKERS="0": GMS_WORKERS must not be less than 1');
    expect(() => validateEnv({ GMS_WORKERS: '65' })).toThrow('GMS_WORKERS="65": GMS_WORKERS must not be greater than 64');
    expect(() => validateEnv({ GMS_WORKERS: 'all' })).toThrow('GMS_WORKERS="all": GMS_WORKERS must be an integer number');
  });

  it('still reads a renamed variable under its old name, the new name winning when both are set', () => {
    expect(validateEnv({ TRACE_MAX_ASPECTS: '50' }).TRACE_MAX_PAIRS).toBe(50);
    expect(validateEnv({ TRACE_MAX_ASPECTS: '50', TRACE_MAX_PAIRS: '70' }).TRACE_MAX_PAIRS).toBe(70);
    expect(() => validateEnv({ TRACE_MAX_ASPECTS: 'many' })).toThrow(/TRACE_MAX_PAIRS="many": TRACE_MAX_PAIRS must be an integer/);
  });

  it('treats an empty value as unset', () => {
    expect(validateEnv({ ...NO_AUTH, PORT: '' }).PORT).toBe(8080);
  });

  it.each([
    ['PORT', 'eighty'],
    ['MYSQL_PORT', '0'],
    ['PORT', '70000'],
    ['KAFKA_BROKERS', 'localhost'],
    ['OPENSEARCH_URL', 'ftp://x'],
    ['SETUP_ON_START', 'maybe'],
    ['RUN_CONSUMERS', 'everything'],
    ['MYSQL_DATABASE', 'bad-name;drop'],
    ['TOPIC_MCP', 'has space'],
    ['GMS_WORKERS', '2.5'],
  ])('rejects %s=%s with one line naming the variable', (name, value) => {
    let caught: unknown;
    try {
      validateEnv({ [name]: value });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as Error).message;
    expect(message).toContain(name);
    expect(message).not.toContain('\n');
  });
});
