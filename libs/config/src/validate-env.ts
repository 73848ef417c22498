import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Env } from './env';

/** A configuration problem, reported as one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads only the variables Env declares; an empty string counts as unset so that
 * `FOO=` in a shell falls back to the default rather than failing a format check.
 */
export function validateEnv(raw: Record<string, unknown>): Env {
  raw = withRenamed(raw);
  const known = Object.keys(new Env()) as (keyof Env)[];
  const picked: Record<string, unknown> = {};
  for (const key of known) {
    const value = raw[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const env = plainToInstance(Env, picked, { exposeDefaultValues: true });
  const errors = validateSync(env, { forbidUnknownValues: true });
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      // Report what is wrong with the value's kind before its range: "must be an integer", not "must be <= 65535".
      const messages = Object.entries(e.constraints ?? {})
        .sort(([a], [b]) => Number(/^m(in|ax)$/.test(a)) - Number(/^m(in|ax)$/.test(b)))
        .map(([, m]) => m);
      const shown = isSecret(e.property) ? '<hidden>' : JSON.stringify(String(picked[e.property] ?? '')).slice(0, 80);
      return `${e.property}=${shown}: ${messages[0] ?? 'invalid value'}`;
    });
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  const conflicts = connectionRuleViolations(env);
  if (conflicts.length > 0) throw new ConfigError(`Invalid configuration: ${conflicts.join('; ')}`);
  return env;
}

/** Variables renamed since a release: the old name is still read when the new one is unset. */
const RENAMED: Record<string, keyof Env> = { TRACE_MAX_ASPECTS: 'TRACE_MAX_PAIRS' };

function withRenamed(raw: Record<string, unknown>): Record<string, unknown> {
  const out = { ...raw };
  for (const [old, now] of Object.entries(RENAMED)) {
    if ((out[now] === undefined || out[now] === '') && out[old] !== undefined && out[old] !== '') out[now] = out[old];
  }
  return out;
}

/** Variables whose values are never shown, in an error or anywhere else. */
export function isSecret(name: string): boolean {
  return /(PASSWORD|SECRET)$/.test(name);
}

/**
 * The rules between the connection variables of Kafka, MySQL and OpenSearch (each variable alone is checked by its
 * decorators): what a setting needs with it, and settings that would be silently ignored. Names only, never values.
 */
export function connectionRuleViolations(env: Env): string[] {
  const problems: string[] = [];
  const protocol = env.KAFKA_SECURITY_PROTOCOL;
  const sasl = protocol === 'SASL_SSL' || protocol === 'SASL_PLAINTEXT';
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';
  if (sasl) {
    for (const name of ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (!env[name]) problems.push(`${name} must be set when KAFKA_SECURITY_PROTOCOL=${protocol}`);
    }
  } else {
    for (const name of ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (env[name]) problems.push(`${name} is set but KAFKA_SECURITY_PROTOCOL=${protocol} does not use SASL (SASL_SSL or SASL_PLAINTEXT does)`);
    }
  }
  if (!tls) {
    for (const name of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const) {
      if (env[name]) problems.push(`${name} is set but KAFKA_SECURITY_PROTOCOL=${protocol} does not use TLS (SSL or SASL_SSL does)`);
    }
  }
  if (Boolean(env.KAFKA_SSL_CERT_FILE) !== Boolean(env.KAFKA_SSL_KEY_FILE)) {
    problems.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together: set both (mutual TLS) or neither');
  }
  if (env.MYSQL_SSL_CA_FILE && env.MYSQL_SSL !== 'verify-ca' && env.MYSQL_SSL !== 'verify-identity') {
    problems.push(`MYSQL_SSL_CA_FILE is set but MYSQL_SSL=${env.MYSQL_SSL} does not check the server's certificate (verify-ca or verify-identity does)`);
  }
  if (Boolean(env.OPENSEARCH_USERNAME) !== Boolean(env.OPENSEARCH_PASSWORD)) {
    problems.push(
      `${env.OPENSEARCH_USERNAME ? 'OPENSEARCH_PASSWORD' : 'OPENSEARCH_USERNAME'} must be set with ${env.OPENSEARCH_USERNAME ? 'OPENSEARCH_USERNAME' : 'OPENSEARCH_PASSWORD'}`,
    );
  }
  if (env.OPENSEARCH_SSL_CA_FILE && !/^https:/i.test(env.OPENSEARCH_URL)) {
    problems.push('OPENSEARCH_SSL_CA_FILE is set but OPENSEARCH_URL is not https');
  }
  return problems;
}

/** The HTTP service verifies tokens, so it needs a key to verify them with (the consumers do not). */
export function requireAuthKey(env: Env): void {
  if (env.AUTH_ENABLED && !env.AUTH_JWT_SECRET && !env.AUTH_JWKS_URL) {
    throw new ConfigError('Invalid configuration: AUTH_JWT_SECRET (or AUTH_JWKS_URL) must be set while AUTH_ENABLED=true');
  }
}
