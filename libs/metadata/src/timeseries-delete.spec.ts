import { END_TIME_MILLIS_HEADER, START_TIME_MILLIS_HEADER, timeseriesDeleteRange } from './timeseries-delete';

describe('timeseriesDeleteRange', () => {
  it('names the headers as DataHub does', () => {
    expect([START_TIME_MILLIS_HEADER, END_TIME_MILLIS_HEADER]).toEqual(['startTimeMillis', 'endTimeMillis']);
  });

  it('reads both bounds, either, or none (unbounded)', () => {
    expect(timeseriesDeleteRange({ startTimeMillis: '1000', endTimeMillis: '2000' })).toEqual({
      ok: true,
      value: { startTimeMillis: 1000, endTimeMillis: 2000 },
    });
    expect(timeseriesDeleteRange({ endTimeMillis: '2000' })).toEqual({ ok: true, value: { endTimeMillis: 2000 } });
    expect(timeseriesDeleteRange({ startTimeMillis: ' 7 ', 'If-Version-Match': '3' })).toEqual({ ok: true, value: { startTimeMillis: 7 } });
    expect(timeseriesDeleteRange(undefined)).toEqual({ ok: true, value: {} });
    expect(timeseriesDeleteRange({})).toEqual({ ok: true, value: {} });
  });

  it('matches header names case-insensitively', () => {
    expect(timeseriesDeleteRange({ STARTTIMEMILLIS: '1', endtimemillis: '1' })).toEqual({ ok: true, value: { startTimeMillis: 1, endTimeMillis: 1 } });
  });

  it.each([
    [{ startTimeMillis: 'yesterday' }, 'startTimeMillis must be epoch milliseconds'],
    [{ endTimeMillis: '-5' }, 'endTimeMillis must be epoch milliseconds'],
    [{ endTimeMillis: '1.5' }, 'endTimeMillis must be epoch milliseconds'],
    [{ startTimeMillis: '' }, 'startTimeMillis must be epoch milliseconds'],
    [{ startTimeMillis: '99999999999999999' }, 'startTimeMillis must be epoch milliseconds'],
    [{ startTimeMillis: 12 as unknown as string }, 'startTimeMillis must be epoch milliseconds'],
    [{ startTimeMillis: '3', endTimeMillis: '2' }, 'startTimeMillis (3) is after endTimeMillis (2)'],
  ])('refuses %j', (headers, reason) => {
    const range = timeseriesDeleteRange(headers);
    expect(range.ok).toBe(false);
    expect(!range.ok && range.error).toContain(reason);
  });
});
