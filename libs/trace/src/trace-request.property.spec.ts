import fc from 'fast-check';
import { loadEntityRegistry, parseUrn } from '@lib/metadata';
import { TraceRequestError, traceItems } from './trace-request';

/**
 * Property-based tests of the trace request body (fast-check, seeded; FC_SEED overrides): on any JSON
 * body, traceItems either returns exactly the items the contract names, or throws TraceRequestError.
 */
const SEED = Number(process.env.FC_SEED ?? 20251125);
const RUNS = 1000;

const registry = loadEntityRegistry();
const ENTITIES = registry.entityNames();
const ALL_ASPECTS = [...new Set(ENTITIES.flatMap((e) => registry.aspectNames(e)))];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

/** JSON text with exact keys, parsed as the body parser would, so "__proto__" arrives as an own key. */
const objText = (entries: [string, string][]) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;

const keyChar = fc.constantFrom(...[...'abcXYZ019_.-:/ \'"*;#%\\é😀'], "' OR '1'='1", '--', '/*', '*/', '; DROP TABLE metadata_aspect_v2;');
const key = fc.array(keyChar, { minLength: 1, maxLength: 8 }).map((xs) => xs.join(''));
const validUrn = fc.oneof(
  fc.tuple(key, fc.constantFrom('PROD', 'DEV')).map(([k, env]) => `urn:li:dataset:(urn:li:dataPlatform:hive,${k},${env})`),
  fc.tuple(fc.constantFrom(...ENTITIES), key).map(([t, k]) => `urn:li:${t}:${k}x`),
);
const urnKey = fc.oneof(
  { weight: 8, arbitrary: validUrn },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.string(),
      fc.constantFrom(...PROTO_KEYS, '', 'urn:li:spaceship:x', 'urn:li:dataset:(a,,b)', 'urn:li:dataset:(a', `urn:li:tag:${'x'.repeat(600)}`),
      validUrn.map((u) => `${u}\r\nTrace: forged`),
      validUrn.map((u) => u.toUpperCase()),
    ),
  },
);
const aspectName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ALL_ASPECTS) },
  { weight: 2, arbitrary: fc.constantFrom(...ALL_ASPECTS).map((a) => (a.length % 2 ? a.toUpperCase() : a.toLowerCase())) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS, '', 'noSuchAspect', 'status ') },
  { weight: 1, arbitrary: fc.string() },
);
const json = fc.jsonValue({ maxDepth: 3 });
const namesValue = fc.oneof(
  { weight: 8, arbitrary: fc.array(aspectName, { maxLength: 6 }).map((xs) => JSON.stringify(xs)) },
  { weight: 1, arbitrary: fc.constant('[]') },
  { weight: 1, arbitrary: json.map((v) => JSON.stringify(v)) },
);
const body = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.tuple(urnKey, namesValue), { minLength: 0, maxLength: 6 }).map(objText) },
  { weight: 1, arbitrary: json.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.array(fc.tuple(validUrn, fc.constant('[]')), { minLength: 5, maxLength: 40 }).map(objText) },
);
const limits = fc.record({ maxUrns: fc.integer({ min: 1, max: 30 }), maxPairs: fc.integer({ min: 1, max: 200 }) });

/** The contract, written independently of traceItems: which (urn, aspect) items a valid body asks for. */
function expectedItems(parsed: Record<string, string[]>) {
  return Object.entries(parsed).flatMap(([urn, names]) => {
    const entityType = parseUrn(urn).entityType;
    const wanted = names.length === 0 ? registry.aspectNames(entityType) : names.map((n) => registry.resolveAspectName(entityType, n));
    return [...new Set(wanted.filter((a): a is string => a !== undefined))].map((aspect) => ({
      urn,
      entityType,
      aspect,
      isTimeseries: registry.findAspect(entityType, aspect)?.kind === 'timeseries',
    }));
  });
}

describe('traceItems (properties)', () => {
  it('returns exactly the requested items of known aspects, or throws TraceRequestError', () => {
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(body, limits, (text, lim) => {
        const parsed: unknown = JSON.parse(text);
        let items;
        try {
          items = traceItems(parsed, registry, lim);
        } catch (err) {
          if (!(err instanceof TraceRequestError)) throw err;
          expect(err.message.length).toBeGreaterThan(0);
          expect(err.message).not.toMatch(/[\r\n]/);
          seen.rejected++;
          return;
        } finally {
          expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTO_NAMES);
        }
        seen.accepted++;
        expect(parsed && typeof parsed === 'object' && !Array.isArray(parsed)).toBe(true);
        const entries = Object.entries(parsed as Record<string, unknown>);
        expect(entries.length).toBeGreaterThan(0);
        expect(entries.length).toBeLessThanOrEqual(lim.maxUrns);
        for (const [urn, names] of entries) {
          expect(registry.findEntity(parseUrn(urn).entityType)).toBeDefined();
          expect(Array.isArray(names) && names.every((n) => typeof n === 'string')).toBe(true);
        }
        expect(items.length).toBeLessThanOrEqual(lim.maxPairs);
        expect(items).toEqual(expectedItems(parsed as Record<string, string[]>));
        for (const item of items) expect(registry.findAspect(item.entityType, item.aspect)?.name).toBe(item.aspect);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(seen.accepted).toBeGreaterThan(RUNS / 10);
    expect(seen.rejected).toBeGreaterThan(RUNS / 10);
  });

  it('never treats a prototype key as a URN or an aspect', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROTO_KEYS), validUrn, (proto, urn) => {
        expect(() => traceItems(JSON.parse(objText([[proto, '["status"]']])), registry, { maxUrns: 10, maxPairs: 100 })).toThrow(TraceRequestError);
        const items = traceItems(JSON.parse(objText([[urn, JSON.stringify([proto, 'status'])]])), registry, { maxUrns: 10, maxPairs: 100 });
        expect(items.map((i) => i.aspect)).toEqual(registry.findAspect(parseUrn(urn).entityType, 'status') ? ['status'] : []);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('holds the limits on URNs and (urn, aspect) pairs, empty lists expanded', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(validUrn, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 400 }),
        (urns, maxUrns, maxPairs) => {
          const parsed = Object.fromEntries(urns.map((u) => [u, [] as string[]]));
          const pairs = urns.reduce((n, u) => n + registry.aspectNames(parseUrn(u).entityType).length, 0);
          let result: 'ok' | string;
          try {
            result = traceItems(parsed, registry, { maxUrns, maxPairs }).length === pairs ? 'ok' : 'wrong count';
          } catch (err) {
            if (!(err instanceof TraceRequestError)) throw err;
            result = err.message;
          }
          if (urns.length > maxUrns) expect(result).toMatch(/too many URNs/);
          else if (pairs > maxPairs) expect(result).toMatch(/too many \(urn, aspect\) pairs/);
          else expect(result).toBe('ok');
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });
});
