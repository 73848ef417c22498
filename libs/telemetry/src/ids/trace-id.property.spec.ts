import fc from 'fast-check';
import { TimePrefixedIdGenerator } from './time-prefixed-id-generator';
import { parseTraceIdParam } from './trace-id-param';
import { EARLIEST_TRACE_TIME_MS, MAX_FUTURE_SKEW_MS, timePrefix, timestampOf } from './trace-id-time';
import { formatTraceparent, parseTraceparent } from './traceparent';

/**
 * Property-based tests of trace ids (fast-check, seeded; FC_SEED overrides): the trace endpoint's
 * `{traceId}` parameter, the time prefix of our ids and its decoding, and W3C traceparent parsing.
 */
const SEED = Number(process.env.FC_SEED ?? 20251125);
const RUNS = 1000;
const opts = (numRuns = RUNS) => ({ seed: SEED, numRuns });

const HEX32 = /^[0-9a-f]{32}$/;
const NOW = Date.parse('2025-06-01T12:00:00.000Z');

/** The documented contract of parseTraceIdParam, written independently of it. */
function expectedTraceId(raw: string): string | undefined {
  const v = raw.trim().toLowerCase();
  const ok = (id: string | undefined) => (id !== undefined && HEX32.test(id) && !/^0+$/.test(id) ? id : undefined);
  if (!v.includes('-')) return ok(v);
  const f = v.split('-');
  if (f.length < 4 || !/^[0-9a-f]{2}$/.test(f[0]) || !/^[0-9a-f]{16}$/.test(f[2]) || !/^[0-9a-f]{2}$/.test(f[3])) return undefined;
  return ok(f[1]);
}

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const mixedCaseHex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-fA-F]{${n}}$`));
const whitespace = fc.constantFrom('', ' ', '\t', '\n', ' \r\n ', '\u00a0', '\ufeff');
const traceparent = fc
  .tuple(hex(2), mixedCaseHex(32), mixedCaseHex(16), hex(2), fc.array(fc.stringMatching(/^[0-9a-z]{0,4}$/), { maxLength: 2 }))
  .map(([v, t, s, f, extra]) => [v, t, s, f, ...extra].join('-'));

const lowerTraceparent = fc
  .tuple(fc.constantFrom('00', '01', 'fe', 'ff'), hex(32), hex(16), hex(2), fc.array(hex(2), { maxLength: 2 }))
  .map(([v, t, s, f, extra]) => [v, t, s, f, ...extra].join('-'));

/** One character changed, added or removed: usually no longer an id. */
const mutated = (base: fc.Arbitrary<string>) =>
  fc.tuple(base, fc.nat(), fc.constantFrom('g', 'G', 'z', '-', ' ', '\u0000', '😀', '', '0', 'x')).map(([s, at, c]) => {
    const i = at % (s.length + 1);
    return at % 3 === 0 ? s.slice(0, i) + c + s.slice(i) : s.slice(0, i) + c + s.slice(i + 1);
  });

const anyParam = fc.oneof(
  fc.string({ maxLength: 100 }),
  fc.fullUnicodeString({ maxLength: 100 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  hex(32),
  fc.tuple(whitespace, mixedCaseHex(32), whitespace).map((xs) => xs.join('')),
  traceparent,
  mutated(hex(32)),
  mutated(traceparent),
  fc.constantFrom('0'.repeat(32), `00-${'0'.repeat(32)}-0123456789abcdef-01`, '-', '---', '00--', `00-${'a'.repeat(32)}-${'b'.repeat(16)}-`),
  fc.string({ minLength: 1000, maxLength: 3000 }),
);

describe('parseTraceIdParam (properties)', () => {
  it('never throws; gives ok(traceId) exactly for a valid non-zero 32-hex id (bare or in a traceparent), else err(message)', () => {
    fc.assert(
      fc.property(anyParam, (raw) => {
        const result = parseTraceIdParam(raw);
        expect(Object.keys(result).sort()).toEqual(result.ok ? ['ok', 'value'] : ['error', 'ok']);
        const expected = expectedTraceId(raw);
        if (expected === undefined) {
          expect(!result.ok && typeof result.error).toBe('string');
          if (!result.ok) {
            expect(result.error.length).toBeGreaterThan(0);
            // A 400 message quoting huge input stays bounded.
            expect(result.error.length).toBeLessThan(400);
          }
        } else {
          expect(result).toEqual({ ok: true, value: expected });
          expect(expected).toMatch(HEX32);
        }
      }),
      opts(),
    );
  });

  it('accepts any bare id in any case with surrounding whitespace, lower-cased', () => {
    fc.assert(
      fc.property(whitespace, mixedCaseHex(32), whitespace, (a, id, b) => {
        fc.pre(!/^0+$/.test(id));
        expect(parseTraceIdParam(`${a}${id}${b}`)).toEqual({ ok: true, value: id.toLowerCase() });
      }),
      opts(),
    );
  });

  it('takes the second field of a whole traceparent, and agrees with parseTraceparent on the ones it accepts', () => {
    fc.assert(
      fc.property(hex(32), hex(16), fc.boolean(), (traceId, spanId, sampled) => {
        fc.pre(!/^0+$/.test(traceId) && !/^0+$/.test(spanId));
        const header = formatTraceparent(traceId, spanId, sampled);
        expect(parseTraceIdParam(header)).toEqual({ ok: true, value: traceId });
        expect(parseTraceparent(header)).toEqual({ traceId, spanId, sampled });
      }),
      opts(),
    );
  });

  it('rejects ids of the wrong length or with a non-hex character', () => {
    fc.assert(
      fc.property(
        hex(32),
        fc.integer({ min: 0, max: 31 }),
        fc.constantFrom('g', 'z', 'x', '_', '.', '😀'),
        fc.integer({ min: -31, max: 40 }),
        (id, at, bad, delta) => {
          expect(parseTraceIdParam(id.slice(0, at) + bad + id.slice(at + 1)).ok).toBe(false);
          fc.pre(delta !== 0);
          const resized = delta < 0 ? id.slice(0, 32 + delta) : id + 'a'.repeat(delta);
          expect(parseTraceIdParam(resized).ok).toBe(false);
        },
      ),
      opts(),
    );
  });
});

describe('parseTraceparent (properties)', () => {
  it('never throws, and what it accepts is well-formed', () => {
    fc.assert(
      fc.property(fc.oneof(anyParam, traceparent, lowerTraceparent, mutated(lowerTraceparent)), (header) => {
        const parsed = parseTraceparent(header);
        if (parsed === undefined) return;
        expect(parsed.traceId).toMatch(HEX32);
        expect(parsed.traceId).not.toMatch(/^0+$/);
        expect(parsed.spanId).toMatch(/^[0-9a-f]{16}$/);
        expect(parsed.spanId).not.toMatch(/^0+$/);
        // What a strict parser accepts, the lenient trace-endpoint parser reads the same way.
        expect(parseTraceIdParam(header)).toEqual({ ok: true, value: parsed.traceId });
      }),
      opts(),
    );
  });
});

describe('time-prefixed trace ids (properties)', () => {
  const plausibleMs = fc.integer({ min: EARLIEST_TRACE_TIME_MS, max: NOW + MAX_FUTURE_SKEW_MS });

  it('timestampOf decodes the generator clock exactly, for every plausible time', () => {
    fc.assert(
      fc.property(plausibleMs, fc.uint8Array({ minLength: 8, maxLength: 8 }), (ms, bytes) => {
        const id = new TimePrefixedIdGenerator({ now: () => ms, randomBytes: (n) => bytes.slice(0, n) }).generateTraceId();
        expect(id).toMatch(HEX32);
        expect(id.slice(0, 16)).toBe(timePrefix(ms));
        expect(timestampOf(id, NOW)).toBe(ms);
        // A generated id is always a valid trace-endpoint id and traceparent field.
        expect(parseTraceIdParam(id)).toEqual({ ok: true, value: id });
      }),
      opts(),
    );
  });

  it('timestampOf is undefined outside [2020-01-01, now + 24 h], however the id was made', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: EARLIEST_TRACE_TIME_MS - 1 }), fc.integer({ min: NOW + MAX_FUTURE_SKEW_MS + 1, max: 2 ** 52 })), (ms) => {
        const id = new TimePrefixedIdGenerator({ now: () => ms }).generateTraceId();
        expect(id).toMatch(HEX32);
        expect(id).not.toMatch(/^0+$/);
        expect(timestampOf(id, NOW)).toBeUndefined();
      }),
      opts(),
    );
  });

  it('timestampOf never throws, and is defined only for 32 lowercase hex decoding to a plausible time', () => {
    fc.assert(
      fc.property(fc.oneof(anyParam, hex(32), mutated(hex(32))), (id) => {
        const ms = timestampOf(id, NOW);
        if (ms === undefined) return;
        expect(id).toMatch(HEX32);
        expect(Number.isInteger(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(EARLIEST_TRACE_TIME_MS);
        expect(ms).toBeLessThanOrEqual(NOW + MAX_FUTURE_SKEW_MS);
        expect(timestampOf(timePrefix(ms) + id.slice(16), NOW)).toBe(ms);
      }),
      opts(),
    );
  });

  it('span ids are 16 hex and never all zero, even from a degenerate random source', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 10 }), (draws) => {
        let i = 0;
        const gen = new TimePrefixedIdGenerator({ randomBytes: (n) => draws[i++ % draws.length].slice(0, n) });
        const span = gen.generateSpanId();
        expect(span).toMatch(/^[0-9a-f]{16}$/);
        expect(span).not.toMatch(/^0+$/);
      }),
      opts(500),
    );
  });
});
