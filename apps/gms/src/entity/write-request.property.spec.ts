import { BadRequestException } from '@nestjs/common';
import fc from 'fast-check';
import { IF_VERSION_MATCH } from '@lib/ingest';
import { loadEntityRegistry, parseUrn } from '@lib/metadata';
import { WriteRequestReader } from './write-request';

/**
 * Property-based tests of the write-request validator (fast-check, seeded; FC_SEED overrides): on any
 * JSON body - including prototype-pollution keys, wrong types, near-valid writes - it either returns
 * writes that the registry accepts, or throws BadRequestException (a 400). Nothing else.
 */
const SEED = Number(process.env.FC_SEED ?? 20251125);
const RUNS = 1000;
const MAX_ASPECTS = 20;

const registry = loadEntityRegistry();
const reader = new WriteRequestReader(registry, MAX_ASPECTS);
const ENTITIES = registry.entityNames();
const ALL_ASPECTS = [...new Set(ENTITIES.flatMap((e) => registry.aspectNames(e)))];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

// ---- JSON text with exact keys --------------------------------------------------------------------
// Bodies are written as JSON text and parsed with JSON.parse, as the body parser does, so a
// "__proto__" key arrives as an own property (as it would over HTTP), not as a prototype.

class Raw {
  constructor(readonly text: string) {}
}
const ser = (v: unknown): string => (v instanceof Raw ? v.text : v === undefined ? 'null' : JSON.stringify(v));
const obj = (entries: [string, unknown][]) =>
  new Raw(
    `{${entries
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${ser(v)}`)
      .join(',')}}`,
  );
const arr = (items: unknown[]) => new Raw(`[${items.map(ser).join(',')}]`);
const absent = fc.constant(undefined);

// ---- generators -----------------------------------------------------------------------------------

const keyChars = fc.constantFrom(...[...'abcXYZ019_.-:/ \'"*;#%\\é☕😀'], "' OR '1'='1", '--', '/*', '*/', '; DROP TABLE metadata_aspect_v2;');
const urnKey = fc.array(keyChars, { minLength: 1, maxLength: 8 }).map((xs) => xs.join(''));
const validUrnOf = (entity: string) =>
  entity === 'dataset'
    ? fc
        .tuple(fc.constantFrom('hive', 'mysql', "o'racle"), urnKey, fc.constantFrom('PROD', 'DEV'))
        .map(([p, k, env]) => `urn:li:dataset:(urn:li:dataPlatform:${p},${k},${env})`)
    : urnKey.map((k) => `urn:li:${entity}:${k}`);
const someUrn = fc.constantFrom('urn:li:corpuser:jdoe', 'urn:li:tag:pii', 'urn:li:glossaryTerm:Sensitive', 'urn:li:dataPlatform:hive', 'urn:li:domain:finance');
const json = fc.jsonValue({ maxDepth: 3 });
const longInt = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1e15));

/** Values that pass the aspect's schema, for the aspects a client writes most; others get arbitrary JSON. */
const VALID: Record<string, fc.Arbitrary<unknown>> = {
  status: fc.record({ removed: fc.boolean() }, { requiredKeys: [] }),
  datasetProperties: fc.record(
    { description: fc.string(), name: fc.string(), customProperties: fc.dictionary(fc.string(), fc.string()) },
    { requiredKeys: [] },
  ),
  subTypes: fc.record({ typeNames: fc.array(fc.string()) }),
  domains: fc.record({ domains: fc.array(someUrn) }),
  container: fc.record({ container: someUrn }),
  globalTags: fc.record({ tags: fc.array(fc.record({ tag: someUrn })) }),
  glossaryTerms: fc.record({ terms: fc.array(fc.record({ urn: someUrn })), auditStamp: fc.record({ time: longInt, actor: someUrn }) }),
  ownership: fc.record({ owners: fc.array(fc.record({ owner: someUrn, type: fc.constantFrom('DATAOWNER', 'TECHNICAL_OWNER') })) }),
  tagProperties: fc.record({ name: fc.string(), description: fc.string() }, { requiredKeys: ['name'] }),
  corpUserInfo: fc.record({ active: fc.boolean(), displayName: fc.string() }, { requiredKeys: ['active'] }),
  deprecation: fc.record({ deprecated: fc.boolean(), note: fc.string(), actor: someUrn }),
  datasetProfile: fc.record({ timestampMillis: fc.integer({ min: 0, max: 2 ** 45 }), rowCount: longInt }, { requiredKeys: ['timestampMillis'] }),
  domainProperties: fc.record({ name: fc.string() }),
  glossaryTermInfo: fc.record({ definition: fc.string(), termSource: fc.constantFrom('INTERNAL', 'EXTERNAL') }),
};

/** A value for `aspect`: valid, valid plus junk (schemas allow extra fields), a wrong-typed field, or anything. */
const valueFor = (aspect: string): fc.Arbitrary<unknown> => {
  const valid = Object.hasOwn(VALID, aspect) ? VALID[aspect] : undefined;
  const options: fc.Arbitrary<unknown>[] = [json, fc.constantFrom(null, 0, '', [], {}, true)];
  if (valid) {
    options.push(valid, valid, valid);
    options.push(
      fc
        .tuple(valid, fc.constantFrom('extra', '__proto__', 'constructor'), json)
        .map(([v, k, x]) => (v && typeof v === 'object' && !Array.isArray(v) ? obj([...Object.entries(v), [k, x]]) : v)),
      fc.tuple(valid, json).map(([v, x]) => {
        if (!v || typeof v !== 'object' || Array.isArray(v)) return x;
        const keys = Object.keys(v);
        return keys.length ? { ...v, [keys[0]]: x } : v;
      }),
    );
  }
  return fc.oneof(...options);
};

const ivmValue = fc.oneof(
  fc.integer({ min: -10, max: 10 }).map(String),
  fc.integer({ min: -10, max: 10 }),
  fc.constantFrom('-1', '007', ' 3', '1e3', '1.5', 'abc', '', '9'.repeat(19), '-999999999999999999', '1;DROP TABLE x', 1e21, -0, 0.5),
);
const headers = fc.oneof(
  absent,
  fc.constantFrom(null, [], 'x', 1),
  fc.dictionary(fc.oneof(fc.string(), fc.constantFrom(...PROTO_KEYS)), fc.oneof(fc.string(), fc.integer())).map((d) => obj(Object.entries(d))),
  fc.tuple(fc.constantFrom(IF_VERSION_MATCH, 'if-version-match', 'IF-VERSION-MATCH'), ivmValue).map(([k, v]) => obj([[k, v]])),
  fc.tuple(fc.constantFrom(...PROTO_KEYS), fc.oneof(fc.string(), json)).map(([k, v]) => obj([[k, v]])),
  json,
);
const systemMetadata = fc.oneof(
  absent,
  fc.constant(null),
  fc
    .record({
      runId: fc.oneof(absent, fc.string(), json),
      properties: fc.oneof(
        absent,
        fc.dictionary(fc.oneof(fc.string(), fc.constantFrom(...PROTO_KEYS)), fc.string()).map((d) => obj(Object.entries(d))),
        json,
      ),
      extra: fc.oneof(absent, json),
    })
    .map((r) => obj(Object.entries(r))),
  fc.tuple(fc.constantFrom(...PROTO_KEYS), json).map(([k, v]) => obj([[k, v]])),
  json,
);

/** An aspect envelope `{value, systemMetadata?, headers?}`, sometimes broken. */
const envelopeFor = (aspect: string) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.tuple(valueFor(aspect), systemMetadata, headers).map(([value, sm, h]) =>
        obj([
          ['value', value],
          ['systemMetadata', sm],
          ['headers', h],
        ]),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valueFor(aspect), fc.constantFrom('extra', '__proto__', 'constructor', 'Value')).map(([value, k]) =>
        obj([
          ['value', value],
          [k, 1],
        ]),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(systemMetadata, headers).map(([sm, h]) =>
        obj([
          ['systemMetadata', sm],
          ['headers', h],
        ]),
      ),
    },
    { weight: 1, arbitrary: json },
  );

const aspectNameFor = (entity: string) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...registry.aspectNames(entity)) },
    { weight: 1, arbitrary: fc.constantFrom(...ALL_ASPECTS, ...PROTO_KEYS, 'urn', '', 'Status', 'status ', 'status\n') },
    { weight: 1, arbitrary: fc.string() },
  );

const urnFor = (entity: string) =>
  fc.oneof(
    { weight: 8, arbitrary: validUrnOf(entity) },
    { weight: 1, arbitrary: fc.constantFrom(...ENTITIES).chain(validUrnOf) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.string(),
        json,
        validUrnOf(entity).map((u) => u.slice(0, -1)),
        validUrnOf(entity).map((u) => `${u}\r\nTrace: forged`),
        fc.constantFrom('', 'urn:li:dataset:(a,,b)', `urn:li:${entity}:${'x'.repeat(600)}`, null, 42, ['urn:li:tag:x'], { urn: 'urn:li:tag:x' }),
      ),
    },
  );

/** A well-formed envelope: nasty content (prototype keys, quotes, unicode) but nothing a 400 is owed for. */
const validEnvelopeFor = (aspect: string) =>
  fc
    .tuple(
      VALID[aspect],
      fc.oneof(
        absent,
        fc.constant(null),
        fc.record({ runId: fc.string() }),
        fc.dictionary(fc.oneof(fc.string(), fc.constantFrom(...PROTO_KEYS)), fc.string()).map((d) => obj([['properties', obj(Object.entries(d))]])),
      ),
      fc.oneof(
        absent,
        fc.integer({ min: -1, max: 99 }).map((n) => obj([[IF_VERSION_MATCH, String(n)]])),
        fc.dictionary(fc.string(), fc.string()).map((d) => obj(Object.entries(d))),
      ),
      fc.oneof(absent, fc.constantFrom('__proto__', 'constructor', 'extra')),
    )
    .map(([value, sm, h, extraKey]) => {
      const v =
        extraKey && value && typeof value === 'object' && !Array.isArray(value) ? obj([...Object.entries(value), [extraKey, { polluted: true }]]) : value;
      return obj([
        ['value', v],
        ['systemMetadata', sm],
        ['headers', h],
      ]);
    });

const validAspectsOf = (entity: string) => registry.aspectNames(entity).filter((a) => Object.hasOwn(VALID, a));

/** A batch item every field of which is valid. */
const validItemFor = (entity: string) =>
  fc
    .tuple(validUrnOf(entity), fc.uniqueArray(fc.constantFrom(...validAspectsOf(entity)), { minLength: 1, maxLength: 3 }))
    .chain(([urn, names]) => fc.tuple(fc.constant(urn), fc.constant(names), fc.tuple(...names.map((n) => validEnvelopeFor(n)))))
    .map(([urn, names, envs]) => obj([['urn', urn], ...names.map((n, i): [string, unknown] => [n, envs[i]])]));

/** One batch item `{urn, <aspect>: envelope, ...}` of `entity`, or something that is not one. */
const itemFor = (entity: string) =>
  fc.oneof(
    { weight: 12, arbitrary: validItemFor(entity) },
    {
      weight: 7,
      arbitrary: fc
        .tuple(urnFor(entity), fc.uniqueArray(aspectNameFor(entity), { minLength: 0, maxLength: 3 }))
        .chain(([urn, names]) =>
          fc.tuple(
            fc.constant(urn),
            fc.constant(names),
            fc.tuple(...names.map((n) => envelopeFor(n))),
            fc.integer({ min: 0, max: 9 }).map((n) => n > 0),
          ),
        )
        .map(([urn, names, envs, withUrn]) =>
          obj([...(withUrn || names.length === 0 ? [['urn', urn] as [string, unknown]] : []), ...names.map((n, i): [string, unknown] => [n, envs[i]])]),
        ),
    },
    { weight: 1, arbitrary: json },
  );

const entityName = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom(...ENTITIES) },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constantFrom(...PROTO_KEYS, 'Dataset', 'dataset ')) },
);

const batchCase = entityName.chain((entity) => {
  const known = registry.findEntity(entity) ? entity : 'dataset';
  return fc.tuple(
    fc.constant(entity),
    fc.oneof(
      { weight: 8, arbitrary: fc.array(itemFor(known), { minLength: 1, maxLength: 4 }).map(arr) },
      { weight: 1, arbitrary: fc.array(itemFor(known), { minLength: MAX_ASPECTS - 1, maxLength: MAX_ASPECTS + 2 }).map(arr) },
      { weight: 1, arbitrary: fc.oneof(json, fc.constant(arr([]))) },
    ),
  );
});

// ---- properties -----------------------------------------------------------------------------------

function expectValidWrite(entity: string, w: ReturnType<WriteRequestReader['batch']>[number]) {
  expect(w.entityType).toBe(entity);
  expect(parseUrn(w.urn).entityType).toBe(entity);
  expect(registry.findAspect(entity, w.aspectName)?.name).toBe(w.aspectName);
  expect(registry.validateAspect(entity, w.aspectName, w.value)).toEqual({ ok: true, value: undefined });
  expect(() => JSON.stringify(w)).not.toThrow();
  for (const [k, v] of Object.entries(w.headers ?? {})) {
    expect(typeof v).toBe('string');
    if (k.toLowerCase() === IF_VERSION_MATCH.toLowerCase()) expect(v).toMatch(/^-?\d{1,18}$/);
  }
  if (w.systemMetadata?.runId !== undefined) expect(typeof w.systemMetadata.runId).toBe('string');
  for (const v of Object.values(w.systemMetadata?.properties ?? {})) expect(typeof v).toBe('string');
}

/** Runs `work`; returns its result, or undefined for a BadRequestException. Anything else thrown fails the property. */
function orBadRequest<T>(work: () => T): T | undefined {
  try {
    return work();
  } catch (err) {
    if (!(err instanceof BadRequestException)) throw err;
    expect(err.getStatus()).toBe(400);
    expect(typeof (err.getResponse() as { message?: unknown }).message).toBe('string');
    return undefined;
  }
}

function expectPrototypeUntouched() {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTO_NAMES);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
}

describe('WriteRequestReader (properties)', () => {
  it('batch: returns only writes the registry accepts, or throws BadRequestException', () => {
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(batchCase, ([entity, body]) => {
        const parsed: unknown = JSON.parse(ser(body));
        const writes = orBadRequest(() => reader.batch(entity, parsed));
        expectPrototypeUntouched();
        if (writes === undefined) {
          seen.rejected++;
          return;
        }
        seen.accepted++;
        expect(Array.isArray(parsed)).toBe(true);
        // One write per aspect key of every item, no more, no fewer.
        const aspectKeys = (parsed as Record<string, unknown>[]).reduce((n, item) => n + Object.keys(item).filter((k) => k !== 'urn').length, 0);
        expect(writes).toHaveLength(aspectKeys);
        expect(writes.length).toBeGreaterThan(0);
        expect(writes.length).toBeLessThanOrEqual(MAX_ASPECTS);
        for (const w of writes) expectValidWrite(entity, w);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The generator must exercise both outcomes, or the property says little.
    expect(seen.accepted).toBeGreaterThan(RUNS / 20);
    expect(seen.rejected).toBeGreaterThan(RUNS / 5);
  });

  it('single: returns a write the registry accepts (HTTP headers merged as strings), or throws BadRequestException', () => {
    const seen = { accepted: 0, rejected: 0 };
    const singleCase = entityName.chain((entity) => {
      const known = registry.findEntity(entity) ? entity : 'dataset';
      return fc.tuple(
        fc.constant(entity),
        urnFor(known).map((u) => (typeof u === 'string' ? u : JSON.stringify(u))),
        fc.oneof(
          { weight: 2, arbitrary: fc.constantFrom(...validAspectsOf(known)).chain((name) => fc.tuple(fc.constant(name), validEnvelopeFor(name))) },
          {
            weight: 3,
            arbitrary: aspectNameFor(known).chain((name) =>
              fc.tuple(fc.constant(name), fc.oneof({ weight: 5, arbitrary: envelopeFor(name) }, { weight: 1, arbitrary: json })),
            ),
          },
        ),
        fc.oneof(absent, fc.integer({ min: -1, max: 5 }).map(String)),
      );
    });
    fc.assert(
      fc.property(singleCase, ([entity, urn, [aspect, body], ivm]) => {
        const http: Record<string, string> = ivm === undefined ? {} : { [IF_VERSION_MATCH]: ivm };
        const write = orBadRequest(() => reader.single(entity, urn, aspect, JSON.parse(ser(body)), http));
        expectPrototypeUntouched();
        if (write === undefined) {
          seen.rejected++;
          return;
        }
        seen.accepted++;
        expect(write.urn).toBe(urn);
        expect(write.aspectName).toBe(aspect);
        expectValidWrite(entity, write);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(seen.accepted).toBeGreaterThan(RUNS / 20);
    expect(seen.rejected).toBeGreaterThan(RUNS / 5);
  });

  it('versionHeader: accepts exactly whole numbers of at most 18 digits, else BadRequestException', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), ivmValue.map(String), fc.stringMatching(/^-?\d{1,20}$/)), (value) => {
        const ok = orBadRequest(() => (reader.versionHeader(value, IF_VERSION_MATCH), true));
        expect(ok === true).toBe(/^-?\d{1,18}$/.test(value));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('entityType: known names exactly (no prototype names), else BadRequestException', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...ENTITIES, ...PROTO_KEYS), fc.string()), (name) => {
        const ok = orBadRequest(() => reader.entityType(name));
        expect(ok === name).toBe(ENTITIES.includes(name));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  // Aspect schemas allow fields they do not name, so without a bound on nesting a value like
  // {"removed": false, "x": [[[[...]]]]} passes validation, and then: at ~5000 levels JSON.stringify
  // overflows the stack in ProposalPublisher.proposalsOf (500 sync / 503 async); at ~3000 the consumer's
  // canonicalJson overflows on a re-write (the MCE batch is retried forever); at ~2000 OpenSearch's
  // parser throws StackOverflowError on the entity document (the MAE batch is retried forever).
  it('rejects aspect values nested deeper than any store can take (BadRequestException, not a write)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 20000 }), fc.boolean(), fc.constantFrom('batch', 'single'), (depth, arrays, route) => {
        const deep = JSON.parse(arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
        const urn = 'urn:li:dataset:(urn:li:dataPlatform:hive,deep,PROD)';
        const value = { removed: false, x: deep };
        const result = orBadRequest(() =>
          route === 'batch' ? reader.batch('dataset', [{ urn, status: { value } }]) : reader.single('dataset', urn, 'status', { value }, {}),
        );
        expect(result).toBeUndefined();
      }),
      { seed: SEED, numRuns: 50 },
    );
  });
});
