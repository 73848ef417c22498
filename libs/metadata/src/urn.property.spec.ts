import fc from 'fast-check';
import { MAX_URN_LENGTH, URN_PREFIX, buildUrn, isUrn, parseUrn, tryParseUrn } from './urn';

/**
 * Property-based tests of the URN parser (fast-check, seeded so a failure reproduces; FC_SEED overrides).
 * The example-based cases live in urn.spec.ts; these check the invariants on thousands of inputs.
 */
const SEED = Number(process.env.FC_SEED ?? 20251125);
const RUNS = 1000;
const opts = (numRuns = RUNS) => ({ seed: SEED, numRuns });

const CONTROL = /[\u0000-\u001f\u007f]/;
const ENTITY_TYPE = /^[A-Za-z][A-Za-z0-9_]*$/;
const codePoints = (s: string) => [...s].length;

/** Runs parseUrn; anything thrown that is not a UrnError escapes and fails the property. */
const attempt = tryParseUrn;

// ---- generators -----------------------------------------------------------------------------------

const entityType = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,15}$/);

/**
 * Key characters: SQL metacharacters (quotes, `--`, `/*`, `;`, `#`, backslash), unicode (BMP and astral),
 * and ordinary ones. No parentheses, commas or control characters: those are structure or forbidden.
 */
const KEY_CHARS = [...'abcXYZ019_.-:/ \'"*;#=@$%&+?!~\\`|<>[]{}é☕😀€'];
const keyChar = fc.constantFrom(...KEY_CHARS);
const SQL_SNIPPETS = ["'", "''", '"', '--', '/*', '*/', ';', '; DROP TABLE metadata_aspect_v2; --', "' OR '1'='1", '#', '\\', '%', '_'];
const keyWord = fc
  .array(fc.oneof({ weight: 4, arbitrary: keyChar }, { weight: 1, arbitrary: fc.constantFrom(...SQL_SNIPPETS) }), { minLength: 1, maxLength: 12 })
  .map((xs) => xs.join(''))
  // A bare part starting with urn:li: would be parsed as a nested URN: those come from `nestedUrn` only.
  .filter((s) => !s.startsWith(URN_PREFIX));

/** A tuple member: a plain key, a nested tuple, or a nested URN (itself possibly a tuple), a few levels deep. */
const { part } = fc.letrec<{ part: string; tuple: string; nestedUrn: string }>((tie) => ({
  part: fc.oneof({ depthSize: 'small', withCrossShrink: true }, keyWord, tie('tuple'), tie('nestedUrn')),
  tuple: fc.array(tie('part'), { minLength: 1, maxLength: 4 }).map((ps) => `(${ps.join(',')})`),
  nestedUrn: fc
    .tuple(entityType, fc.array(tie('part'), { minLength: 1, maxLength: 4 }))
    .map(([t, ps]) => `${URN_PREFIX}${t}:${ps.length === 1 && !ps[0].startsWith('(') ? ps[0] : `(${ps.join(',')})`}`),
}));

/** A valid URN with its expected entity type and parts. */
const validUrn = fc
  .oneof(
    // One simple key: may hold anything but control characters, parentheses are fine when balanced and not leading.
    fc.tuple(entityType, keyWord).map(([t, k]) => ({ entityType: t, parts: [k] })),
    // A tuple of two or more parts (one part would be written bare by buildUrn).
    fc.tuple(entityType, fc.array(part, { minLength: 2, maxLength: 5 })).map(([t, parts]) => ({ entityType: t, parts })),
    // A single nested URN as the whole key (`urn:li:tag:urn:li:...` is a simple key that happens to be a URN).
    fc
      .tuple(
        entityType,
        part.filter((p) => p.startsWith(URN_PREFIX)),
      )
      .map(([t, p]) => ({ entityType: t, parts: [p] })),
  )
  .map(({ entityType: t, parts }) => ({ entityType: t, parts, urn: `${URN_PREFIX}${t}:${parts.length === 1 ? parts[0] : `(${parts.join(',')})`}` }))
  .filter(({ urn }) => codePoints(urn) <= MAX_URN_LENGTH)
  // A URN may not begin or end with whitespace (MySQL would compare "a" and "a " equal).
  .filter(({ urn }) => urn.trim() === urn);

/** Strings that look like URNs, built from the characters the parser cares about. */
const STRUCTURAL = [...'urn:li:(),abcD_1 \'"-/*;'];
const urnish = fc.oneof(
  fc.array(fc.constantFrom(...STRUCTURAL, '\n', '\r', '\u0000', '\u007f', '😀'), { maxLength: 40 }).map((xs) => xs.join('')),
  fc.array(fc.constantFrom(...STRUCTURAL), { maxLength: 40 }).map((xs) => URN_PREFIX + xs.join('')),
  fc.string({ maxLength: 60 }).map((s) => URN_PREFIX + s),
  fc.tuple(entityType, fc.array(fc.constantFrom('(', ')', ',', 'a', "'", ':'), { maxLength: 20 })).map(([t, xs]) => `${URN_PREFIX}${t}:${xs.join('')}`),
);
const anyString = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.fullUnicodeString({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  urnish,
  // Around the length limit.
  fc.integer({ min: MAX_URN_LENGTH - 20, max: MAX_URN_LENGTH + 20 }).map((n) => `${URN_PREFIX}tag:${'x'.repeat(Math.max(0, n - 11))}`),
  fc.integer({ min: MAX_URN_LENGTH - 20, max: MAX_URN_LENGTH + 20 }).map((n) => `${URN_PREFIX}tag:${'😀'.repeat(Math.max(0, n - 11))}`),
);

// ---- properties -----------------------------------------------------------------------------------

describe('parseUrn (properties)', () => {
  it('never throws anything but UrnError, and whatever it accepts satisfies every documented rule', () => {
    fc.assert(
      fc.property(anyString, (input) => {
        const r = attempt(input);
        expect(isUrn(input)).toBe(r.ok);
        if (!r.ok) {
          expect(r.error.input).toBe(input);
          expect(typeof r.error.reason).toBe('string');
          if (r.error.position !== undefined) {
            expect(r.error.position).toBeGreaterThanOrEqual(0);
            expect(r.error.position).toBeLessThanOrEqual(input.length);
          }
          // Messages stay bounded and on one line, whatever the input holds (they reach logs and 400 bodies).
          expect(r.error.message.length).toBeLessThan(400);
          expect(r.error.message).not.toMatch(/[\r\n]/);
          return;
        }
        const { entityType: t, id, parts } = r.value;
        expect(input.startsWith(URN_PREFIX)).toBe(true);
        expect(codePoints(input)).toBeLessThanOrEqual(MAX_URN_LENGTH);
        expect(CONTROL.test(input)).toBe(false);
        expect(t).toMatch(ENTITY_TYPE);
        expect(input).toBe(`${URN_PREFIX}${t}:${id}`);
        expect(id.length).toBeGreaterThan(0);
        expect(parts.length).toBeGreaterThan(0);
        for (const p of parts) expect(p.length).toBeGreaterThan(0);
        if (id.startsWith('(')) expect(`(${parts.join(',')})`).toBe(id);
        else expect(parts).toEqual([id]);
        // Every nested URN is valid too.
        for (const p of parts) if (p.startsWith(URN_PREFIX)) expect(isUrn(p)).toBe(true);
      }),
      opts(),
    );
  });

  it('round-trips generated valid URNs (nested tuples, quotes, --, /*, ;, unicode)', () => {
    fc.assert(
      fc.property(validUrn, ({ urn, entityType: t, parts }) => {
        const r = attempt(urn);
        if (!r.ok) throw new Error(`rejected a valid URN ${JSON.stringify(urn)}: ${r.error.message}`);
        expect(r.value.entityType).toBe(t);
        expect(r.value.parts).toEqual(parts);
        expect(buildUrn(r.value.entityType, r.value.parts)).toBe(urn);
        expect(buildUrn(t, parts)).toBe(urn);
      }),
      opts(),
    );
  });

  it('SQL metacharacters in a key are data: accepted and kept verbatim', () => {
    fc.assert(
      fc.property(entityType, fc.array(fc.constantFrom(...SQL_SNIPPETS, 'x', ' '), { minLength: 1, maxLength: 10 }), (t, xs) => {
        const key = `k${xs.join('')}x`;
        fc.pre(codePoints(key) + URN_PREFIX.length + t.length + 1 <= MAX_URN_LENGTH);
        expect(parseUrn(`${URN_PREFIX}${t}:${key}`).parts).toEqual([key]);
        expect(parseUrn(`${URN_PREFIX}${t}:(urn:li:dataPlatform:mysql,${key},PROD)`).parts).toEqual(['urn:li:dataPlatform:mysql', key, 'PROD']);
      }),
      opts(),
    );
  });

  it('a control character (CR, LF, NUL, ESC, DEL ...) anywhere is rejected at its index', () => {
    fc.assert(
      fc.property(validUrn, fc.nat(), fc.constantFrom(...Array.from({ length: 32 }, (_, i) => i), 127), ({ urn }, where, code) => {
        fc.pre(codePoints(urn) < MAX_URN_LENGTH);
        const at = where % (urn.length + 1);
        // Do not split a surrogate pair: insert at a code point boundary.
        fc.pre(!(at > 0 && at < urn.length && /[\ud800-\udbff]/.test(urn[at - 1])));
        const r = attempt(urn.slice(0, at) + String.fromCharCode(code) + urn.slice(at));
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.error.reason).toMatch(/^contains the control character U\+00[0-9A-F]{2}$/);
          expect(r.error.position).toBe(at);
        }
      }),
      opts(),
    );
  });

  // A lone surrogate is not text: MySQL (utf8mb4) and Kafka keys would hold U+FFFD instead, so
  // `...a\ud800...` and `...a\ud801...` would be stored as one and the same entity (seen end to end).
  it('rejects ill-formed UTF-16 (a lone surrogate anywhere)', () => {
    fc.assert(
      fc.property(validUrn, fc.nat(), fc.integer({ min: 0xd800, max: 0xdfff }), ({ urn }, where, code) => {
        const boundaries = [0, ...[...urn].map((_, i, cps) => cps.slice(0, i + 1).join('').length)];
        const at = boundaries[where % boundaries.length];
        const r = attempt(urn.slice(0, at) + String.fromCharCode(code) + urn.slice(at));
        expect(r.ok).toBe(false);
      }),
      opts(200),
    );
  });

  it('dropping one parenthesis of a valid tuple URN unbalances it', () => {
    fc.assert(
      fc.property(validUrn, fc.nat(), ({ urn }, which) => {
        const parens = [...urn.matchAll(/[()]/g)].map((m) => m.index!);
        fc.pre(parens.length > 0);
        const at = parens[which % parens.length];
        const r = attempt(urn.slice(0, at) + urn.slice(at + 1));
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.reason).toMatch(/never closed|no matching|nested URN/);
      }),
      opts(),
    );
  });

  it('the length limit counts code points, not UTF-16 units', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 * MAX_URN_LENGTH }), fc.boolean(), (n, astral) => {
        const urn = `${URN_PREFIX}tag:${(astral ? '😀' : 'a').repeat(n)}`;
        expect(isUrn(urn)).toBe(codePoints(urn) <= MAX_URN_LENGTH);
      }),
      opts(500),
    );
  });
});
