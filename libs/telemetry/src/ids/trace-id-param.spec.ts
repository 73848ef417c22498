import { parseTraceIdParam } from './trace-id-param';

const TRACE = '00062c53a468cbd8077e7dd079846870';

describe('parseTraceIdParam', () => {
  it.each([
    ['a bare id', TRACE],
    ['a whole traceparent', `00-${TRACE}-9199effb49910b4e-01`],
    ['an unsampled traceparent', `00-${TRACE}-9199effb49910b4e-00`],
    ['an upper-case bare id (lower-cased)', TRACE.toUpperCase()],
    ['an upper-case traceparent (lower-cased)', `00-${TRACE}-9199EFFB49910B4E-01`.toUpperCase()],
    ['surrounding whitespace', ` ${TRACE}\n`],
  ])('accepts %s', (_name, raw) => {
    expect(parseTraceIdParam(raw)).toEqual({ ok: true, value: TRACE });
  });

  it.each([
    ['empty', '', /Missing trace id/],
    ['undefined', undefined, /Missing trace id/],
    ['too short', TRACE.slice(1), /Invalid trace id .*32 hex/],
    ['too long', TRACE + '0', /Invalid trace id/],
    ['non-hex', TRACE.slice(1) + 'g', /Invalid trace id/],
    ['all zero', '0'.repeat(32), /all-zero/],
    ['all-zero in a traceparent', `00-${'0'.repeat(32)}-9199effb49910b4e-01`, /all-zero/],
    ['a traceparent with too few fields', `00-${TRACE}`, /traceparent/],
    ['a traceparent with a bad span id', `00-${TRACE}-xyz-01`, /Invalid trace id/],
    ['a traceparent with a short trace id', `00-${TRACE.slice(2)}-9199effb49910b4e-01`, /Invalid trace id/],
  ])('rejects %s with a message', (_name, raw, message) => {
    const result = parseTraceIdParam(raw);
    expect(!result.ok && result.error).toMatch(message);
  });

  it('keeps the message short for huge input', () => {
    const result = parseTraceIdParam('x'.repeat(10_000));
    expect(!result.ok && result.error.length).toBeLessThan(300);
  });
});
