import { ConfigError, validateEnv } from './validate-env';
import { Settings } from './settings';
import { Env } from './env';

/**
 * Validates the environment before Nest starts, so that a bad value stops the process
 * with one clear line (and exit code 78, EX_CONFIG) instead of a stack trace.
 */
export function loadSettingsOrExit(env: NodeJS.ProcessEnv = process.env, check?: (env: Env) => void): Settings {
  try {
    const valid = validateEnv(env);
    check?.(valid);
    return new Settings(valid);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}
