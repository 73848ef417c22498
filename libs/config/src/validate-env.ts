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
      const shown = JSON.stringify(String(picked[e.property] ?? '')).slice(0, 80);
      return `${e.property}=${shown}: ${messages[0] ?? 'invalid value'}`;
    });
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
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

/** The HTTP service verifies tokens, so it needs a key to verify them with (the consumers do not). */
export function requireAuthKey(env: Env): void {
  if (env.AUTH_ENABLED && !env.AUTH_JWT_SECRET && !env.AUTH_JWKS_URL) {
    throw new ConfigError('Invalid configuration: AUTH_JWT_SECRET (or AUTH_JWKS_URL) must be set while AUTH_ENABLED=true');
  }
}
