import { MAX_INTAKE_SPANS, parseOtlpTraces } from './otlp-intake';

const TRACE = '0006' + 'ab'.repeat(14);
const span = (over: Record<string, unknown> = {}) => ({
  traceId: TRACE.toUpperCase(),
  spanId: 'AB'.repeat(8),
  parentSpanId: '',
  name: 'client job step',
  kind: 3,
  startTimeUnixNano: '1796000000000000000',
  endTimeUnixNano: 1796000000005000000,
  attributes: [{ key: 'step', value: { stringValue: 'extract' } }],
  ...over,
});
const request = (...spans: unknown[]) => ({
  resourceSpans: [
    { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'ingestion-job' } }] }, scopeSpans: [{ scope: { name: 'job' }, spans }] },
  ],
});

describe('parseOtlpTraces: the OTLP JSON intake', () => {
  it('takes a valid request: ids lowercased, an empty parent dropped, times as strings, the service from the resource', () => {
    const parsed = parseOtlpTraces(request(span()));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toHaveLength(1);
    const [s] = parsed.value;
    expect(s).toMatchObject({ traceId: TRACE, spanId: 'ab'.repeat(8), service: 'ingestion-job', startTime: 1796000000000, scope: { name: 'job' } });
    expect(s.span).toMatchObject({ traceId: TRACE, spanId: 'ab'.repeat(8), endTimeUnixNano: '1796000000005000000' });
    expect(s.span.parentSpanId).toBeUndefined();
  });

  it.each([
    ['no resourceSpans', {}, 'body.resourceSpans is required'],
    ['a short trace id', request(span({ traceId: 'abc' })), 'body.resourceSpans[0].scopeSpans[0].spans[0].traceId must match pattern'],
    ['a missing name', request(span({ name: undefined })), 'body.resourceSpans[0].scopeSpans[0].spans[0].name is required'],
    ['a time that is not a number', request(span({ startTimeUnixNano: 'yesterday' })), 'body.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano'],
    [
      'a start time past the year 2286 (as a number)',
      request(span({ startTimeUnixNano: 61299426043343463776256 })),
      'body.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano',
    ],
    [
      'a start time of 20 digits',
      request(span({ startTimeUnixNano: '61299426043343463776' })),
      'body.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano',
    ],
    ['a kind out of range', request(span({ kind: 9 })), 'body.resourceSpans[0].scopeSpans[0].spans[0].kind must be <= 5'],
    [
      '129 attributes',
      request(span({ attributes: Array.from({ length: 129 }, (_, i) => ({ key: `k${i}`, value: { intValue: i } })) })),
      'must NOT have more than 128 items',
    ],
    [
      'an attribute value of two kinds',
      request(span({ attributes: [{ key: 'k', value: { stringValue: 'a', intValue: 1 } }] })),
      'must NOT have more than 1 properties',
    ],
    ['an all-zero span id', request(span({ spanId: '0'.repeat(16) })), 'all-zero trace or span id'],
  ])('refuses %s, naming the field', (_case, body, message) => {
    const parsed = parseOtlpTraces(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });

  it(`refuses more than ${MAX_INTAKE_SPANS} spans in one request`, () => {
    const many = Array.from({ length: MAX_INTAKE_SPANS + 1 }, (_, i) => span({ spanId: (i + 1).toString(16).padStart(16, '0') }));
    const parsed = parseOtlpTraces(request(...many));
    expect(parsed).toEqual({ ok: false, error: `body has ${MAX_INTAKE_SPANS + 1} spans; at most ${MAX_INTAKE_SPANS} per request` });
  });
});
