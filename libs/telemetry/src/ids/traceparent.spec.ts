import { formatTraceparent, parseTraceparent } from './traceparent';

const TRACE = '00062c53a468cbd8077e7dd079846870';
const SPAN = '9199effb49910b4e';

describe('formatTraceparent', () => {
  it('formats version 00 with the sampled flag', () => {
    expect(formatTraceparent(TRACE, SPAN, true)).toBe(`00-${TRACE}-${SPAN}-01`);
    expect(formatTraceparent(TRACE, SPAN, false)).toBe(`00-${TRACE}-${SPAN}-00`);
  });

  it('round-trips through parseTraceparent', () => {
    expect(parseTraceparent(formatTraceparent(TRACE, SPAN, true))).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
  });
});

describe('parseTraceparent', () => {
  it.each([
    ['sampled', `00-${TRACE}-${SPAN}-01`, true],
    ['not sampled', `00-${TRACE}-${SPAN}-00`, false],
    ['other flag bits', `00-${TRACE}-${SPAN}-03`, true],
    ['a foreign (non time-prefixed) id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${SPAN}-01`, true],
    ['a future version with extra fields', `01-${TRACE}-${SPAN}-01-whatever`, true],
    ['surrounding whitespace', `  00-${TRACE}-${SPAN}-01 `, true],
  ])('accepts %s', (_name, header, sampled) => {
    const parsed = parseTraceparent(header);
    expect(parsed?.spanId).toBe(SPAN);
    expect(parsed?.sampled).toBe(sampled);
  });

  it.each([
    ['undefined', undefined],
    ['empty', ''],
    ['a bare trace id', TRACE],
    ['too few fields', `00-${TRACE}-${SPAN}`],
    ['version 00 with extra fields', `00-${TRACE}-${SPAN}-01-extra`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['short span id', `00-${TRACE}-${SPAN.slice(1)}-01`],
    ['bad flags', `00-${TRACE}-${SPAN}-1`],
    ['non-hex version', `zz-${TRACE}-${SPAN}-01`],
  ])('rejects %s', (_name, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });
});
