import fc from 'fast-check';
import { deflateSync, gzipSync } from 'zlib';
import { eventually } from '../support/poll';
import {
  aspectValue,
  badUrn,
  bodyFaultExamples,
  bodyFaults,
  Case,
  deepArray,
  deepObject,
  DEPTH,
  ds,
  enc,
  Expect,
  freshKey,
  handPickedBadUrns,
  isTimeseries,
  json,
  key,
  LIMIT,
  MAX_BATCH,
  nastyKey,
  ODD_HEADERS,
  oddBatchQuery,
  oddHeaders,
  traceIds,
  urnText,
  useFuzzTarget,
  validItem,
  W,
  wrongMethods,
} from './harness';

/**
 * HTTP fuzzing of the two entity write routes, on one service:
 * - POST /openapi/v3/entity/{entity} (batch): valid batches with nasty but legal content, batches with exactly
 *   one faulty item, whole-body faults, and the bounds (batch size, body size, nesting, compression);
 * - POST /openapi/v3/entity/{entity}/{urn}/{aspect} (single aspect): valid sync, async and conditional writes,
 *   and everything that can be wrong in the path, the query, the If-Version-Match header and the body;
 * then that no trace-log line can be forged through a write, and what Kafka and SQL hold afterwards.
 * See ./harness.ts for what every answer must be and what the stores must hold.
 */

// ---- POST /openapi/v3/entity/{entity} --------------------------------------------------------------
/** A batch item with exactly one thing wrong, as JSON text. `urns` are what a broken server might store. */
type Fault = (urn: string) => { text: string; urns: string[] };
const status = { value: { removed: false } };
const FAULTS: Fault[] = [
  // An aspect name that is not one of the entity's (prototype keys among them). JSON text: a "__proto__" key
  // must arrive as an own property, as it would from any client.
  ...[
    'noSuchAspect',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'Status',
    'status ',
    'status\n',
    '',
    'chartInfo',
    'datasetkey',
    'urn ',
  ].map((name): Fault => (urn) => ({ text: `{"urn":${json(urn)},${json(name)}:{"value":{"removed":false}}}`, urns: [urn] })),
  // An envelope that is not one.
  ...['x', 1, null, [], true, [status], {}, { value: { removed: false }, extra: 1 }, { Value: { removed: false } }].map((envelope): Fault => (urn) => ({
    text: json({ urn, status: envelope }),
    urns: [urn],
  })),
  (urn) => ({ text: `{"urn":${json(urn)},"status":{"value":{"removed":false},"__proto__":{"x":1}}}`, urns: [urn] }),
  // A value its schema refuses.
  ...(
    [
      ['status', { removed: 'false' }],
      ['status', { removed: 1 }],
      ['status', { removed: null }],
      ['status', { removed: [] }],
      ['status', null],
      ['status', 'x'],
      ['status', []],
      ['datasetProperties', { customProperties: { k: 1 } }],
      ['datasetProperties', { description: 5 }],
      ['datasetProperties', { tags: 'x' }],
      ['subTypes', {}],
      ['subTypes', { typeNames: 'x' }],
      ['subTypes', { typeNames: [1] }],
      ['globalTags', { tags: [{ tag: 'not-a-urn' }] }],
      ['globalTags', { tags: [{ tag: 'urn:li:tag:a\nb' }] }],
      ['domains', { domains: ['urn:li:domain:x)'] }],
      ['datasetProfile', { timestampMillis: 'now' }],
      ['datasetProfile', { timestampMillis: 1.5 }],
      ['datasetProfile', { rowCount: 1 }],
    ] as [string, unknown][]
  ).map(([aspect, value]): Fault => (urn) => ({ text: json({ urn, [aspect]: { value } }), urns: [urn] })),
  // Deep nesting where the schema checks the type: rejected without descending.
  (urn) => ({ text: `{"urn":${json(urn)},"status":{"value":{"removed":${deepArray(DEPTH)}}}}`, urns: [urn] }),
  // systemMetadata of the wrong shape.
  ...[
    [],
    'x',
    1,
    true,
    { runId: 1 },
    { runId: {} },
    { runId: [] },
    { runId: null },
    { properties: [] },
    { properties: 'x' },
    { properties: { a: 1 } },
    { properties: { a: null } },
    { properties: { a: {} } },
    { properties: null },
  ].map((sm): Fault => (urn) => ({ text: json({ urn, status: { ...status, systemMetadata: sm } }), urns: [urn] })),
  // Per-aspect headers of the wrong shape, or an If-Version-Match that is not a version.
  ...[
    [],
    'x',
    1,
    true,
    null,
    { a: true },
    { a: null },
    { a: {} },
    { a: [] },
    ...['abc', '1.5', '1e3', '', ' ', '9'.repeat(19), '-', '0x10', '1 2', '--1', '1;DROP TABLE x'].map((v) => ({ 'If-Version-Match': v })),
    { 'if-version-match': 1.5 },
  ].map((headers): Fault => (urn) => ({ text: json({ urn, status: { ...status, headers } }), urns: [urn] })),
  // Not an item at all, or an item with nothing but its URN.
  ...['x', 1, null, [], true, {}].map((item): Fault => (urn) => ({ text: json(item), urns: [urn] })),
  (urn) => ({ text: json({ urn }), urns: [urn] }),
];
/** A bad URN in an otherwise valid item. */
const badUrnItem = (bad: unknown) => ({ text: json({ urn: bad, status }), urns: typeof bad === 'string' ? [bad] : [] });
const faultyItem: fc.Arbitrary<{ text: string; urns: string[] }> = fc.oneof(
  { arbitrary: badUrn.map(badUrnItem), weight: 1 },
  { arbitrary: fc.tuple(freshKey, fc.constantFrom(...FAULTS)).map(([k, fault]) => fault(ds(k))), weight: 8 },
);

const batchCase = (name: string, path: string, items: string[], expect: Case['expect'], headers?: Record<string, string>): Case => ({
  name: `batch: ${name}`,
  method: 'POST',
  path,
  headers,
  body: `[${items.join(',')}]`,
  expect,
});

// ---- POST /openapi/v3/entity/{entity}/{urn}/{aspect} ----------------------------------------------
const one = (urn: string, aspect: string, query = '') => `${W}/dataset/${enc(urn)}/${aspect}${query}`;
const body = json({ value: { removed: false } });
const reject = (name: string, path: string, urns: string[], extra: Partial<Case> = {}): Case => ({
  name: `single: ${name}`,
  method: 'POST',
  path,
  body,
  expect: { kind: 'reject', status: [400], noRows: urns },
  ...extra,
});

/** A bad URN as it goes into a path. A lone surrogate cannot be percent-encoded as UTF-8: its CESU bytes, which do not decode. */
const encodePathUrn = (text: string) =>
  /[\ud800-\udfff]/.test(text) && !/[\ud800-\udbff][\udc00-\udfff]/.test(text) ? text.split('\ud800').map(enc).join('%ED%A0%80') : enc(text);
const badUrnCase = (bad: unknown) => {
  const text = urnText(bad);
  return reject('bad URN in the path', `${W}/dataset/${encodePathUrn(text)}/status`, [text]);
};

const RAW_BAD_PATHS = (urn: string) => [
  '%ZZ',
  '%E0%A4%A',
  '%',
  '%00',
  '..%2F..%2Fhealth',
  '%2e%2e',
  '..',
  '.',
  'urn:li:dataset:%0D%0ATrace:%20forged',
  encodeURI(urn).replace(/,/g, '%2C%00'),
];
const BAD_ASPECTS = [
  'noSuchAspect',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'Status',
  '%20status',
  'status%00',
  'status%0A',
  'chartInfo',
  'datasetkey',
  '%2E%2E',
];
const BAD_ENTITIES = ['__proto__', 'constructor', 'Dataset', '%00', '..', 'chart', 'spaceship', 'dataset%20', 'toString'];
const BAD_VERSIONS = ['abc', '1.5', '1e3', '9'.repeat(19), '-', '0x10', '1 2', '--1', '-1, 5', "1'; DROP TABLE x"];
const BAD_FLAGS = [
  '?async=maybe',
  '?async=1',
  '?async=yes',
  '?async=true&async=false',
  '?systemMetadata=1',
  '?createIfNotExists=nope',
  '?createIfEntityNotExists=0',
  '?async=tru',
  '?async=%00',
  '?async=true%20',
];
const BAD_BODIES: [string, Record<string, string>?][] = [
  ['{}'],
  ['{"value":null}'],
  ['{"value":{"removed":"no"}}'],
  ['{"value":{"removed":false},"extra":1}'],
  ['{"value":{"removed":false},"__proto__":{"value":1}}'],
  ['{"__proto__":{"value":{"removed":false}}}'],
  ['{"constructor":{"prototype":{"polluted":1}}}'],
  ['{"value":{"removed":false},"systemMetadata":[]}'],
  ['{"value":{"removed":false},"headers":{"If-Version-Match":"x"}}'],
  ['[{"value":{"removed":false}}]'],
  ['"x"'],
  [`{"value":{"removed":${deepArray(DEPTH)}}}`],
  ['{"value":{"removed":false}}', { 'content-type': 'text/plain' }],
];
const badBody = (urn: string, [b, headers]: [string, Record<string, string>?]): Case => ({
  name: 'single: bad body',
  method: 'POST',
  path: one(urn, 'status'),
  body: b,
  headers,
  rawContentType: headers !== undefined,
  expect: { kind: 'reject', noRows: [urn] },
});

/** One thing wrong with an otherwise valid single-aspect write: path, aspect, entity, header, flag or body. */
const faultyWrite: fc.Arbitrary<Case> = fc.oneof(
  badUrn.filter((bad) => urnText(bad) !== '').map(badUrnCase),
  fc.tuple(freshKey, fc.nat()).map(([k, i]) => {
    const paths = RAW_BAD_PATHS(ds(k));
    return reject('raw bad path', `${W}/dataset/${paths[i % paths.length]}/status`, [ds(k)]);
  }),
  fc.tuple(freshKey, fc.constantFrom(...BAD_ASPECTS)).map(([k, aspect]) => reject('bad aspect name', one(ds(k), aspect), [ds(k)])),
  fc.tuple(freshKey, fc.constantFrom(...BAD_ENTITIES)).map(([k, entity]) => reject('bad entity name', `${W}/${entity}/${enc(ds(k))}/status`, [ds(k)])),
  fc
    .tuple(freshKey, fc.constantFrom(...BAD_VERSIONS))
    .map(([k, v]) => reject('bad If-Version-Match', one(ds(k), 'status'), [ds(k)], { headers: { 'If-Version-Match': v } })),
  fc.tuple(freshKey, fc.constantFrom(...BAD_FLAGS)).map(([k, flags]) => reject('bad query flag', one(ds(k), 'status', flags), [ds(k)])),
  fc.tuple(freshKey, fc.constantFrom(...BAD_BODIES)).map(([k, b]) => badBody(ds(k), b)),
);

describe('HTTP fuzzing of the entity write routes', () => {
  const target = useFuzzTarget('write');

  describe('POST /openapi/v3/entity/{entity} (batch)', () => {
    it('accepts valid async batches of nasty but legal content, odd flags and headers: a 202, every aspect proposed', async () => {
      await target().check(
        fc.tuple(fc.array(validItem(), { minLength: 1, maxLength: 3 }), oddBatchQuery, oddHeaders()).map(([items, query, headers]) =>
          batchCase(
            'valid async',
            `${W}/dataset${query}`,
            items.map((x) => json(x.item)),
            { kind: 'async', mcp: items.reduce((n, x) => n + x.versioned, 0), rows: items.filter((x) => x.versioned > 0).map((x) => x.urn) },
            headers,
          ),
        ),
        { numRuns: 50, seedOffset: 1 },
      );
    });

    it('stores valid sync batches before it answers 200', async () => {
      await target().check(
        fc.tuple(fc.array(validItem(), { minLength: 1, maxLength: 2 }), fc.constantFrom('false', 'FALSE', 'False')).map(([items, flag]) =>
          batchCase(
            'valid sync',
            `${W}/dataset?async=${flag}`,
            items.map((x) => json(x.item)),
            { kind: 'sync', rows: items.filter((x) => x.versioned > 0).map((x) => x.urn) },
          ),
        ),
        { numRuns: 10, seedOffset: 2 },
      );
    });

    it('refuses a batch with one faulty item among good ones with a 400, and writes none of it (not even the good items)', async () => {
      const examples = [...handPickedBadUrns().map(badUrnItem), ...FAULTS.map((fault) => fault(ds(key())))].map((bad) =>
        batchCase('one faulty item (hand-picked)', `${W}/dataset`, [bad.text], { kind: 'reject', status: [400], noRows: bad.urns }),
      );
      await target().check(
        fc
          .tuple(fc.array(validItem(), { maxLength: 2 }), faultyItem, fc.nat(), fc.constantFrom('', '?async=false'), oddHeaders())
          .map(([good, bad, at, query, headers]) => {
            const texts = good.map((g) => json(g.item));
            texts.splice(at % (texts.length + 1), 0, bad.text);
            return batchCase(
              'one faulty item',
              `${W}/dataset${query}`,
              texts,
              { kind: 'reject', status: [400], noRows: [...good.map((g) => g.urn), ...bad.urns] },
              headers,
            );
          }),
        { numRuns: 150, seedOffset: 3, examples },
      );
    });

    it('refuses truncated, commented, mistyped, wrongly encoded, 10k-deep and bomb bodies with a 4xx', async () => {
      const validBody = validItem().map((x) => ({ text: json([x.item]), urns: [x.urn] }));
      const one = { urn: ds(key()), status };
      await target().check(bodyFaults(`${W}/dataset`, 'batch', validBody), {
        numRuns: 25,
        seedOffset: 4,
        examples: bodyFaultExamples(`${W}/dataset`, 'batch', { text: json([one]), urns: [one.urn] }),
      });
    });

    it('holds its bounds: batch size, body size, nesting, compression, duplicate keys, methods, headers and URLs', async () => {
      const cases: Case[] = [];
      // A deep value where the schema does not look (extra fields are allowed): must be refused, not written.
      // Only 10k levels, which today fail in the API before anything is published: between ~1000 and ~5000
      // levels the write is accepted and OpenSearch's parser throws StackOverflowError on it, over and over,
      // as the MAE consumer retries - do not add such depths here until the API bounds nesting.
      for (let i = 0; i < 4; i++) {
        const urn = ds(key());
        const deep = i % 2 ? deepArray(DEPTH) : deepObject(DEPTH);
        cases.push(
          batchCase(
            '10k-deep value in an unchecked field',
            `${W}/dataset${i < 2 ? '' : '?async=false'}`,
            [`{"urn":${json(urn)},"status":{"value":{"removed":false,"x":${deep}}}}`],
            {
              kind: 'reject',
              noRows: [urn],
            },
          ),
        );
      }
      // Batch size: exactly the maximum is a write, one more is a 400.
      const items = (n: number) => Array.from({ length: n }, () => ({ urn: ds(key()), status: { value: { removed: false } } }));
      const max = items(MAX_BATCH);
      cases.push(batchCase('exactly MAX_BATCH_ASPECTS', `${W}/dataset`, max.map(json), { kind: 'async', mcp: MAX_BATCH, rows: max.map((x) => x.urn) }));
      const over = items(MAX_BATCH + 1);
      cases.push(batchCase('MAX_BATCH_ASPECTS + 1', `${W}/dataset`, over.map(json), { kind: 'reject', status: [400], noRows: over.map((x) => x.urn) }));
      // Bodies around the size limit: up to it a write, beyond it a 413.
      for (const delta of [-5000, -1, 0, 1, 5000, 100_000]) {
        const urn = ds(key());
        const shell = json([{ urn, datasetProperties: { value: { description: '' } } }]);
        const item = json({ urn, datasetProperties: { value: { description: 'x'.repeat(LIMIT - shell.length + delta) } } });
        expect(Buffer.byteLength(`[${item}]`)).toBe(LIMIT + delta);
        cases.push(
          batchCase(
            `body of LIMIT${delta >= 0 ? '+' : ''}${delta} bytes`,
            `${W}/dataset`,
            [item],
            delta <= 0 ? { kind: 'async', mcp: 1, rows: [urn] } : { kind: 'reject', status: [413], noRows: [urn] },
          ),
        );
      }
      // A 40 kB runId: a string, as the contract asks; whether it is refused or stored, it must not wedge indexing.
      const runIdUrn = ds(key());
      cases.push(
        batchCase(
          '40 kB runId',
          `${W}/dataset`,
          [json({ urn: runIdUrn, status: { value: { removed: false }, systemMetadata: { runId: 'r'.repeat(40_000) } } })],
          {
            kind: 'either',
            mcp: 1,
            urns: [runIdUrn],
          },
        ),
      );
      // Duplicate keys: the last one wins (JSON.parse), which here makes a valid write.
      const dup = ds(key());
      cases.push(
        batchCase('duplicate urn key, last valid', `${W}/dataset`, [`{"urn":"not a urn","urn":${json(dup)},"status":{"value":{"removed":true}}}`], {
          kind: 'async',
          mcp: 1,
          rows: [dup],
        }),
      );
      // A compressed body is still the same valid write.
      for (const encoding of ['gzip', 'deflate'] as const) {
        const urn = ds(key());
        const text = json([{ urn, status: { value: { removed: false } }, datasetProperties: { value: { description: "it's é☕😀" } } }]);
        cases.push({
          name: `batch: ${encoding} body`,
          method: 'POST',
          path: `${W}/dataset`,
          headers: { 'content-type': 'application/json', 'content-encoding': encoding },
          rawContentType: true,
          body: encoding === 'gzip' ? gzipSync(text) : deflateSync(text),
          expect: { kind: 'async', mcp: 2, rows: [urn] },
        });
      }
      // Methods, paths, headers.
      const urn = ds(key());
      cases.push(
        { name: 'batch: PUT', method: 'PUT', path: `${W}/dataset`, body: '{}', expect: { kind: 'reject', status: [404, 405], noRows: [urn] } },
        { name: 'batch: DELETE', method: 'DELETE', path: `${W}/dataset`, body: '{}', expect: { kind: 'reject', status: [404, 405], noRows: [urn] } },
        // The route takes PATCH (JSON Patch): `{}` is not a patch, so a 400.
        { name: 'batch: PATCH with {}', method: 'PATCH', path: `${W}/dataset`, body: '{}', expect: { kind: 'reject', status: [400], noRows: [urn] } },
        { name: 'batch: GET', method: 'GET', path: `${W}/dataset`, expect: { kind: 'reject', status: [404, 405], noRows: [] } },
        { name: 'batch: no entity', method: 'POST', path: W, body: '[]', expect: { kind: 'reject', status: [404], noRows: [] } },
      );
      // Headers beyond Node's 16 kB header limit: answered by the HTTP server itself (431).
      for (const [name, headers] of [
        ['huge header', { 'x-big': 'h'.repeat(20_000) }],
        ['huge traceparent', { traceparent: `00-${'a'.repeat(20_000)}-01` }],
      ] as [string, Record<string, string>][]) {
        cases.push(batchCase(name, `${W}/dataset`, [json({ urn, status })], { kind: 'reject', status: [431, 414, 400], noRows: [urn] }, headers));
      }
      await target().expectAnswers(cases);
    });
  });

  describe('POST /openapi/v3/entity/{entity}/{urn}/{aspect} (single aspect)', () => {
    it('stores valid writes of nasty URNs, with odd flags and headers, before it answers 200', async () => {
      await target().check(
        fc
          .tuple(
            nastyKey,
            aspectValue,
            fc.constantFrom('', '?async=false', '?systemMetadata=true', '?createIfNotExists=true'),
            oddHeaders(ODD_HEADERS.filter((h) => !('if-version-match' in h))),
          )
          .map(([k, { aspect, value }, query, headers]): Case => {
            const urn = ds(k);
            return {
              name: 'single: valid sync',
              method: 'POST',
              path: one(urn, aspect, query),
              headers,
              body: json({ value }),
              expect: { kind: 'sync', rows: isTimeseries(aspect) ? [] : [urn] },
            };
          }),
        { numRuns: 20, seedOffset: 11 },
      );
    });

    it('accepts valid async writes with a 202', async () => {
      await target().check(
        nastyKey.map((k): Case => {
          const urn = ds(k);
          return {
            name: 'single: valid async',
            method: 'POST',
            path: one(urn, 'status', '?async=true'),
            body: json({ value: { removed: true } }),
            expect: { kind: 'async', mcp: 1, rows: [urn] },
          };
        }),
        { numRuns: 8, seedOffset: 12 },
      );
    });

    it('on a fresh URN, passes -1 and createIfEntityNotExists, and answers any other condition with a 412 that writes nothing', async () => {
      // The stored version of a fresh URN is -1.
      await target().check(
        fc.tuple(nastyKey, fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 99 })).map(([k, which, version]): Case => {
          const urn = ds(k);
          const [query, headers, expect] = (
            [
              ['', { 'If-Version-Match': '-1' }, { kind: 'sync', rows: [urn] }],
              ['?createIfEntityNotExists=true', {}, { kind: 'sync', rows: [urn] }],
              ['', { 'If-Version-Match': String(version) }, { kind: 'precondition', noRows: [urn] }],
              ['?createIfNotExists=false', {}, { kind: 'precondition', noRows: [urn] }],
              // Accepted, then fails in the consumer: nothing stored.
              ['?async=true', { 'If-Version-Match': String(1 + version) }, { kind: 'async', mcp: 1, rows: [], noRows: [urn] }],
            ] as [string, Record<string, string>, Expect][]
          )[which];
          return { name: 'single: conditional', method: 'POST', path: one(urn, 'status', query), headers, body, expect };
        }),
        { numRuns: 10, seedOffset: 13 },
      );
    });

    it('refuses a write with one thing wrong in its path, aspect, entity, If-Version-Match, flags or body with a 400, and writes nothing', async () => {
      const u = () => ds(key());
      const examples: Case[] = [
        ...handPickedBadUrns()
          .filter((bad) => urnText(bad) !== '')
          .map(badUrnCase),
        ...((urn) => RAW_BAD_PATHS(urn).map((p) => reject('raw bad path', `${W}/dataset/${p}/status`, [urn])))(u()),
        ...BAD_ASPECTS.map((aspect) => {
          const urn = u();
          return reject('bad aspect name', one(urn, aspect), [urn]);
        }),
        ...BAD_ENTITIES.map((entity) => {
          const urn = u();
          return reject('bad entity name', `${W}/${entity}/${enc(urn)}/status`, [urn]);
        }),
        ...BAD_VERSIONS.map((v) => {
          const urn = u();
          return reject('bad If-Version-Match', one(urn, 'status'), [urn], { headers: { 'If-Version-Match': v } });
        }),
        ...BAD_FLAGS.map((flags) => {
          const urn = u();
          return reject('bad query flag', one(urn, 'status', flags), [urn]);
        }),
        ...BAD_BODIES.map((b) => badBody(u(), b)),
      ];
      await target().check(faultyWrite, { numRuns: 40, seedOffset: 14, examples });
    });

    it('refuses truncated, commented, mistyped, wrongly encoded, 10k-deep and bomb bodies with a 4xx', async () => {
      const urn = ds(key());
      const valid = { text: body, urns: [urn] };
      await target().check(bodyFaults(one(urn, 'status'), 'single', fc.constant(valid)), {
        numRuns: 10,
        seedOffset: 15,
        examples: bodyFaultExamples(one(urn, 'status'), 'single', valid),
      });
    });

    it('holds its bounds: a 10k-deep value where the schema does not look, other methods, a huge URL', async () => {
      const urn = ds(key());
      const deep = [ds(key()), ds(key())];
      await target().expectAnswers([
        // Deep value in a field the schema does not check, on the sync and the async route.
        ...deep.map((d, i): Case => ({
          name: 'single: 10k-deep value in an unchecked field',
          method: 'POST',
          path: one(d, 'status', i ? '?async=true' : ''),
          body: `{"value":{"removed":false,"x":${deepArray(DEPTH)}}}`,
          expect: { kind: 'reject', noRows: [d] },
        })),
        ...wrongMethods(one(urn, 'status'), 'single', ['PUT'], [urn]),
        // The route takes DELETE (a traced delete): a bad flag is a 400 and nothing is queued.
        {
          name: 'single: DELETE purge=maybe',
          method: 'DELETE',
          path: one(urn, 'status', '?purge=maybe'),
          body: '{}',
          expect: { kind: 'reject', status: [400], noRows: [urn] },
        },
        // The route takes PATCH (JSON Patch): `{}` is not a patch, so a 400.
        { name: 'single: PATCH with {}', method: 'PATCH', path: one(urn, 'status'), body: '{}', expect: { kind: 'reject', status: [400], noRows: [urn] } },
        // A URL beyond Node's 16 kB header limit: answered by the HTTP server itself (431).
        {
          name: 'single: huge URL',
          method: 'POST',
          path: `${W}/dataset/${'u'.repeat(20_000)}/status`,
          body,
          expect: { kind: 'reject', status: [431, 414, 400], noRows: [urn] },
        },
      ]);
    });

    it('refuses a URN with a trailing space, so it can never overwrite or read its unspaced twin', async () => {
      const k = key();
      const plain = `urn:li:tag:${k}`;
      const spaced = `urn:li:tag:${k} `;
      const write = (urn: string, description: string, expect: Expect) =>
        target().send({
          name: 'single: tag',
          method: 'POST',
          path: `${W}/tag/${enc(urn)}/tagProperties`,
          body: json({ value: { name: 'n', description } }),
          expect,
        });
      expect((await write(plain, 'plain', { kind: 'sync', rows: [plain] })).status).toBe(200);
      // MySQL compares with PAD SPACE, so a trailing space would address the same row: it is refused instead.
      const refused = await write(spaced, 'spaced', { kind: 'reject', status: [400], noRows: [] });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toMatch(/leading or trailing whitespace/);
      const read = await target().send({ name: 'read', method: 'GET', path: `${W}/tag/${enc(plain)}/tagProperties`, expect: { kind: 'read' } });
      expect(read.body?.value?.description).toBe('plain');
    });
  });

  it('cannot forge a trace-log line through a URN, a runId, a property or a header', async () => {
    const forged = '\r\nTrace: forged, SpanId: 0000000000000000';
    const traceLog = { 'X-Enable-Trace-Log': 'true' };
    const urnWith = ds(`${key()}${forged}`);
    // Control characters in a URN: refused wherever a URN goes.
    const refused = await Promise.all(
      (
        [
          { name: 'batch', method: 'POST', path: `${W}/dataset`, body: json([{ urn: urnWith, status }]) },
          { name: 'single', method: 'POST', path: `${W}/dataset/${enc(urnWith)}/status`, body: json(status) },
          { name: 'read', method: 'GET', path: `${W}/dataset/${enc(urnWith)}/status/versions` },
          { name: 'trace', method: 'POST', path: `/openapi/v1/trace/write/${traceIds.generateTraceId()}`, body: json({ [urnWith]: [] }) },
        ] as const
      ).map((c) => target().send({ ...c, headers: traceLog, expect: { kind: 'reject', noRows: [] } })),
    );
    for (const a of refused) {
      expect(a.status).toBe(400);
      expect(a.body.message).toMatch(/control character/);
    }
    // Free-text fields may hold line breaks: they are data, and the trace log must escape them.
    const urn = ds(key());
    const accepted = await target().send({
      name: 'free text',
      method: 'POST',
      path: `${W}/dataset`,
      headers: traceLog,
      body: json([
        {
          urn,
          status: {
            value: { removed: false },
            systemMetadata: { runId: `run${forged}`, properties: { [`k${forged}`]: `v${forged}` } },
            headers: { [`X-Note${forged}`]: `n${forged}` },
          },
          datasetProperties: { value: { description: `d${forged}`, customProperties: { [`c${forged}`]: `v${forged}` } } },
        },
      ]),
      expect: { kind: 'async', mcp: 2, rows: [urn] },
    });
    expect(accepted.status).toBe(202);
    const traceId = accepted.traceparent!.split('-')[1];
    // The consumers log their spans of this write too: wait until the MAE consumer has logged its consume span of
    // both change logs (a span is logged when it ends; the bulk index of a batch is in the trace of one of its writes).
    const maeConsumed = (output: string) =>
      output
        .split('\n')
        .filter(
          (l) =>
            l.includes(`Trace: ${traceId}, Attributes: `) &&
            l.includes(`"messaging.destination.name":${json(target().env.TOPIC_MCL_VERSIONED)}`) &&
            l.includes('"messaging.operation":"receive"'),
        ).length;
    await eventually(
      async () => target().gms.output,
      (output) => maeConsumed(output) >= 2,
      30_000,
      200,
    );
    const lines = target().gms.output.split(/\r\n|\r|\n/);
    expect(lines.filter((l) => /^\s*Trace: forged/.test(l))).toEqual([]);
  });

  it('then Kafka and SQL hold exactly what the accepted requests wrote, and nothing of the rejected ones', async () => {
    await target().storesMatch();
  }, 180_000);
});
