import { timePrefix, timestampOf } from './trace-id-time';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');

describe('timestampOf', () => {
  it('decodes the documented example', () => {
    const ms = timestampOf('00062c53a468cbd8077e7dd079846870', NOW);
    expect(new Date(ms!).toISOString()).toBe('2025-01-22T23:13:32.503Z');
  });

  it('round-trips a time prefix with millisecond precision', () => {
    for (const ms of [Date.parse('2020-01-01T00:00:00.000Z'), NOW - 1, NOW, NOW + 3_600_000]) {
      expect(timestampOf(timePrefix(ms) + '0123456789abcdef', NOW)).toBe(ms);
    }
  });

  it.each([
    ['random id from another tracer', '9f3a2b1c4d5e6f700123456789abcdef'],
    ['random id with a small prefix', '0000000000000001aaaaaaaaaaaaaaaa'],
    ['just before 2020-01-01', timePrefix(Date.UTC(2020, 0, 1) - 1) + '0123456789abcdef'],
    ['more than 24 h in the future', timePrefix(NOW + 24 * 3_600_000 + 1) + '0123456789abcdef'],
    ['upper case', '00062C53A468CBD8077E7DD079846870'],
    ['too short', '00062c53a468cbd8077e7dd07984687'],
    ['too long', '00062c53a468cbd8077e7dd0798468700'],
    ['not hex', '00062c53a468cbd8077e7dd07984687g'],
    ['empty', ''],
  ])('is undefined for %s', (_name, id) => {
    expect(timestampOf(id, NOW)).toBeUndefined();
  });

  it('accepts exactly 24 h ahead (clock skew)', () => {
    const ms = NOW + 24 * 3_600_000;
    expect(timestampOf(timePrefix(ms) + '0123456789abcdef', NOW)).toBe(ms);
  });

  it('never throws on non-string input', () => {
    expect(timestampOf(undefined as unknown as string, NOW)).toBeUndefined();
  });
});
