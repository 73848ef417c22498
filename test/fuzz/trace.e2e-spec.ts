import fc from 'fast-check';
import {
  bodyFaultExamples,
  bodyFaults,
  Case,
  deepArray,
  deepObject,
  DEPTH,
  ds,
  enc,
  freshKey,
  json,
  key,
  nastyKey,
  T,
  traceIds,
  useFuzzTarget,
  wrongMethods,
} from './harness';

/**
 * HTTP fuzzing of the trace route, POST /openapi/v1/trace/write/{traceId}: valid lookups (a 200 with an
 * object, whatever the URNs and aspects asked for), ids that are lenient but valid, bad ids, bodies and flags
 * (a 400), and whole-body faults. Lookups write nothing: afterwards the MCP topic has not grown. See
 * ./harness.ts for what every answer must be.
 */

/** The trace endpoint's id rule (trace-semantics 5), written independently of the service. */
function validTraceIdParam(raw: string): boolean {
  const v = raw.trim().toLowerCase();
  const ok = (id?: string) => id !== undefined && /^[0-9a-f]{32}$/.test(id) && !/^0+$/.test(id);
  if (!v.includes('-')) return ok(v);
  const f = v.split('-');
  return f.length >= 4 && /^[0-9a-f]{2}$/.test(f[0]) && ok(f[1]) && /^[0-9a-f]{16}$/.test(f[2]) && /^[0-9a-f]{2}$/.test(f[3]);
}

/** A trace id as this service makes them (time-prefixed), bare or as a traceparent. Drawn afresh: ids carry the time. */
const goodId = fc
  .noShrink(fc.constantFrom('', '00', '01'))
  .map((flags) => (flags === '' ? traceIds.generateTraceId() : `00-${traceIds.generateTraceId()}-${traceIds.generateSpanId()}-${flags}`));
const ASPECT_LISTS = [[], ['status'], ['STATUS', 'datasetProperties', 'noSuchAspect'], ['__proto__', 'constructor'], ['datasetProfile']];
/** A valid lookup body: 1-4 nasty URNs, each with a list of aspect names (unknown names are simply not found). */
const goodBody = fc
  .array(fc.tuple(nastyKey, fc.constantFrom(...ASPECT_LISTS)), { minLength: 1, maxLength: 4 })
  .map((entries) => json(Object.fromEntries(entries.map(([k, aspects]) => [ds(k), aspects]))));
const VALID_FLAGS = ['', '?onlyIncludeErrors=false', '?detailed=true', '?skipCache=TRUE', '?onlyIncludeErrors=false&detailed=true'];

const lookup = (name: string, id: string, b: string, query = ''): Case => ({
  name: `trace: ${name}`,
  method: 'POST',
  path: T(enc(id), query),
  body: b,
  expect: { kind: 'trace' },
});
const bad = (name: string, path: string, b: string): Case => ({
  name: `trace: ${name}`,
  method: 'POST',
  path,
  body: b,
  expect: { kind: 'reject', status: [400], noRows: [] },
});

/** Ids that are almost right, or not at all: each judged by validTraceIdParam. */
const ODD_IDS = (id: string) => [
  id.slice(1),
  `${id}0`,
  `${id.slice(0, 31)}g`,
  '0'.repeat(32),
  `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`,
  'x'.repeat(5000),
  ' ',
  '-',
  '---',
  `00-${id}`,
  `00-${id}-xyz-01`,
  `${id}'; DROP TABLE metadata_aspect_v2; --`,
  '../../health',
  `${id}\u0000`,
  `${id.toUpperCase()}`,
  `\n${id}\t`,
  `ff-${id}-${'a'.repeat(16)}-01-extra`,
];
const oddIdCase = (raw: string, b: string): Case => {
  const valid = validTraceIdParam(raw);
  return valid ? lookup('lenient but valid id', raw, b) : bad('bad id', T(enc(raw)), b);
};

/** Bodies that are not a map of URN to a list of aspect names, or ask for too much. */
const BAD_BODIES: ((urn: string) => string)[] = [
  () => '[]',
  () => '"x"',
  () => '{}',
  () => json({ 'not-a-urn': [] }),
  (urn) => json({ [urn]: 'status' }),
  (urn) => json({ [urn]: [1] }),
  (urn) => json({ [urn]: [null] }),
  (urn) => json({ [urn]: { status: true } }),
  () => `{"__proto__":["status"]}`,
  () => `{"constructor":[]}`,
  () => json({ 'urn:li:spaceship:x': [] }),
  (urn) => json({ [`${urn}\r\nTrace: forged`]: [] }),
  (urn) => json({ [urn.slice(0, -1)]: [] }),
  () => json({ [ds('x'.repeat(600))]: [] }),
  () => deepObject(DEPTH),
  (urn) => `{${json(urn)}:${deepArray(DEPTH)}}`,
  () => json(Object.fromEntries(Array.from({ length: 1001 }, () => [ds(key()), ['status']]))),
  () => json(Object.fromEntries(Array.from({ length: 700 }, () => [ds(key()), []]))),
];
const BAD_FLAG_VALUES = (flag: string) => ['yes', '1', 'tru', '%00', `true&${flag}=false`, '%20true'];
const FLAGS = ['onlyIncludeErrors', 'detailed', 'skipCache'];

describe('HTTP fuzzing of POST /openapi/v1/trace/write/{traceId} (trace lookups)', () => {
  const target = useFuzzTarget('trace');

  it('answers valid lookups of nasty URNs and odd aspect names with a 200 and an object', async () => {
    await target().check(
      fc.tuple(goodId, goodBody, fc.constantFrom(...VALID_FLAGS)).map(([id, b, query]) => lookup('valid', id, b, query)),
      {
        numRuns: 12,
        seedOffset: 31,
        // Ids from other tracers carry no time: the reader scans from the earliest offset, bounded.
        examples: [lookup('valid foreign id', '4bf92f3577b34da6a3ce929d0e0e4736', json({ [ds(key())]: ['status'] }))],
      },
    );
  });

  it('accepts ids that are lenient but valid (upper case, padded), and refuses every other malformed id with a 400', async () => {
    const b = json({ [ds(key())]: ['status'] });
    await target().check(
      fc.tuple(fc.noShrink(fc.nat()), goodBody).map(([i, body]) => {
        const ids = ODD_IDS(traceIds.generateTraceId());
        return oddIdCase(ids[i % ids.length], body);
      }),
      { numRuns: 8, seedOffset: 32, examples: ODD_IDS(traceIds.generateTraceId()).map((raw) => oddIdCase(raw, b)) },
    );
  });

  it('refuses bodies that are not a map of URN to aspect names, or ask for too many, with a 400', async () => {
    await target().check(
      fc.tuple(freshKey, fc.nat(BAD_BODIES.length - 1)).map(([k, i]) => bad('bad body', T(traceIds.generateTraceId()), BAD_BODIES[i](ds(k)))),
      { numRuns: 15, seedOffset: 33, examples: BAD_BODIES.map((make) => bad('bad body', T(traceIds.generateTraceId()), make(ds(key())))) },
    );
  });

  it('refuses flags that are not true or false with a 400', async () => {
    const b = json({ [ds(key())]: ['status'] });
    await target().check(
      fc
        .tuple(fc.constantFrom(...FLAGS), fc.nat(), goodBody)
        .map(([flag, i, body]) => bad('bad flag', T(traceIds.generateTraceId(), `?${flag}=${BAD_FLAG_VALUES(flag)[i % 6]}`), body)),
      {
        numRuns: 4,
        seedOffset: 34,
        examples: FLAGS.flatMap((flag) => BAD_FLAG_VALUES(flag).map((v) => bad('bad flag', T(traceIds.generateTraceId(), `?${flag}=${v}`), b))),
      },
    );
  });

  it('refuses truncated, commented, mistyped, wrongly encoded, 10k-deep and bomb bodies with a 4xx', async () => {
    const path = T(traceIds.generateTraceId());
    await target().check(
      bodyFaults(
        path,
        'trace',
        goodBody.map((text) => ({ text, urns: [] })),
      ),
      { numRuns: 20, seedOffset: 35, examples: bodyFaultExamples(path, 'trace', { text: json({ [ds(key())]: ['status'] }), urns: [] }) },
    );
  });

  it('answers other methods and a missing id with a 404 or 405', async () => {
    await target().expectAnswers([
      ...wrongMethods(T(traceIds.generateTraceId()), 'trace', ['PUT', 'DELETE', 'PATCH']),
      { name: 'trace: no trace id', method: 'POST', path: '/openapi/v1/trace/write/', body: '{}', expect: { kind: 'reject', status: [404], noRows: [] } },
    ]);
  });

  it('then nothing was written: the MCP topic has not grown, and the service is still healthy and still writing', async () => {
    await target().storesMatch();
  }, 180_000);
});
