import { err, ok, Result } from '@lib/common';

/**
 * Headers of a DELETE of a timeseries aspect (proposal and change log `headers`): inclusive bounds, as strings of
 * epoch milliseconds, on the `timestampMillis` of the events it removes. A missing bound is unbounded, so a DELETE
 * with neither removes every event of the aspect of that URN. Header names are matched case-insensitively.
 */
export const START_TIME_MILLIS_HEADER = 'startTimeMillis';
export const END_TIME_MILLIS_HEADER = 'endTimeMillis';

/** The events a timeseries DELETE removes: startTimeMillis <= timestampMillis <= endTimeMillis; absent = unbounded. */
export interface TimeRange {
  startTimeMillis?: number;
  endTimeMillis?: number;
}

/**
 * The range of a timeseries DELETE from its headers, or why it has none: a bound that is not a whole number of
 * epoch milliseconds (digits only, a safe integer), or a start after the end. Other headers are ignored.
 */
export function timeseriesDeleteRange(headers: Record<string, string> | undefined): Result<TimeRange> {
  const range: TimeRange = {};
  for (const [name, field] of [
    [START_TIME_MILLIS_HEADER, 'startTimeMillis'],
    [END_TIME_MILLIS_HEADER, 'endTimeMillis'],
  ] as const) {
    const raw = headerValue(headers, name);
    if (raw === undefined) continue;
    const text = typeof raw === 'string' ? raw.trim() : '';
    const millis = Number(text);
    if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(millis)) {
      return err(`${name} must be epoch milliseconds (a whole number), got ${JSON.stringify(raw)?.slice(0, 40)}`);
    }
    range[field] = millis;
  }
  if (range.startTimeMillis !== undefined && range.endTimeMillis !== undefined && range.startTimeMillis > range.endTimeMillis) {
    return err(`${START_TIME_MILLIS_HEADER} (${range.startTimeMillis}) is after ${END_TIME_MILLIS_HEADER} (${range.endTimeMillis})`);
  }
  return ok(range);
}

function headerValue(headers: Record<string, string> | undefined, name: string): unknown {
  if (!headers || typeof headers !== 'object') return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : (headers as Record<string, unknown>)[key];
}
