export type LogLevelName = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/** Nest's logger takes the list of enabled levels; LOG_LEVEL names the most verbose one. */
export function logLevels(level: string): LogLevelName[] {
  const all: LogLevelName[] = ['error', 'warn', 'log', 'debug', 'verbose'];
  const upTo = all.indexOf(level as LogLevelName);
  return all.slice(0, upTo < 0 ? 3 : upTo + 1);
}
