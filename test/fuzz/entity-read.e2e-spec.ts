import fc from 'fast-check';
import { badUrn, Case, ds, enc, handPickedBadUrns, key, nastyKey, oddHeaders, urnText, useFuzzTarget, W } from './harness';

/**
 * HTTP fuzzing of the read routes, GET /openapi/v3/entity/{entity}/{urn}[/{aspect}[/versions]]: valid reads of
 * nasty URNs (a 200 or a 404), bad URNs, entities, aspects and query flags (a 400), and `limit` at and beyond
 * its bounds. Reads write nothing: afterwards the MCP topic has not grown. See ./harness.ts for what every
 * answer must be.
 */

const TAILS = ['', '/status', '/datasetProperties', '/status/versions', '/datasetProperties/versions'];
const BAD_TARGETS = (urn: string) => [
  `${W}/spaceship/${enc(urn)}/status`,
  `${W}/__proto__/${enc(urn)}`,
  `${W}/dataset/${enc(urn)}/__proto__`,
  `${W}/dataset/${enc(urn)}/constructor/versions`,
  `${W}/dataset/${enc(urn)}/noSuch`,
  `${W}/chart/${enc(urn)}`,
  `${W}/dataset/${enc(urn)}/%ZZ`,
];
const BAD_QUERIES = [
  '/status/versions?limit=abc',
  '/status/versions?limit=1.5',
  '/status/versions?limit=1e3',
  '/status/versions?limit=',
  '/status/versions?limit=0x10',
  '/status/versions?limit=1&limit=2',
  '/status?systemMetadata=yes',
  '?systemMetadata=1',
  '/status/versions?limit=%00',
];
const LIMITS_OUT_OF_RANGE = ['-5', '0', '1001', '99999999999999999999', '-99999999999999999999'];

const read = (name: string, path: string, headers?: Record<string, string>): Case => ({
  name: `read: ${name}`,
  method: 'GET',
  path,
  headers,
  expect: { kind: 'read' },
});
const bad = (name: string, path: string, status = [400]): Case => ({
  name: `read: ${name}`,
  method: 'GET',
  path,
  expect: { kind: 'reject', status, noRows: [] },
});
/** Bad URNs that can go into a path (a lone surrogate cannot be percent-encoded; "" is another route). */
const inPath = (text: string) => text !== '' && !/[\ud800-\udfff]/.test(text);

describe('HTTP fuzzing of GET /openapi/v3/entity/{entity}/{urn}[/{aspect}[/versions]] (reads)', () => {
  const target = useFuzzTarget('read');

  it('answers valid reads of nasty URNs, with odd flags and headers, with a 200 or a 404', async () => {
    await target().check(
      fc
        .tuple(nastyKey, fc.constantFrom(...TAILS), fc.constantFrom('', '?systemMetadata=true', '?systemMetadata=FALSE'), oddHeaders())
        .map(([k, tail, query, headers]) => read('valid', `${W}/dataset/${enc(ds(k))}${tail}${query}`, headers)),
      { numRuns: 25, seedOffset: 21 },
    );
  });

  it('answers `limit` at its bounds with a 200 or a 404, and beyond them with a 400', async () => {
    await target().check(
      fc.tuple(nastyKey, fc.oneof(fc.integer({ min: 1, max: 1000 }).map(String), fc.constantFrom(...LIMITS_OUT_OF_RANGE))).map(([k, limit]) => {
        const path = `${W}/dataset/${enc(ds(k))}/status/versions?limit=${limit}`;
        return LIMITS_OUT_OF_RANGE.includes(limit) ? bad('limit out of range', path) : read('limit in range', path);
      }),
      {
        numRuns: 10,
        seedOffset: 22,
        examples: [
          ...['1', '1000'].map((l) => read('limit at its bounds', `${W}/dataset/${enc(ds(key()))}/status/versions?limit=${l}`)),
          ...LIMITS_OUT_OF_RANGE.map((l) => bad('limit out of range', `${W}/dataset/${enc(ds(key()))}/status/versions?limit=${l}`)),
        ],
      },
    );
  });

  it('refuses bad URNs, entities, aspects and query flags with a 400', async () => {
    const urn = ds(key());
    const examples: Case[] = [
      ...handPickedBadUrns()
        .map(urnText)
        .filter(inPath)
        .map((text) => bad('bad URN', `${W}/dataset/${enc(text)}/status/versions`)),
      ...BAD_TARGETS(urn).map((path) => bad('bad entity or aspect', path)),
      ...BAD_QUERIES.map((q) => bad('bad query', `${W}/dataset/${enc(urn)}${q}`)),
    ];
    await target().check(
      fc.oneof(
        fc.tuple(badUrn.map(urnText).filter(inPath), fc.constantFrom(...TAILS)).map(([text, tail]) => bad('bad URN', `${W}/dataset/${enc(text)}${tail}`)),
        fc.tuple(nastyKey, fc.nat()).map(([k, i]) => {
          const paths = BAD_TARGETS(ds(k));
          return bad('bad entity or aspect', paths[i % paths.length]);
        }),
        fc.tuple(nastyKey, fc.constantFrom(...BAD_QUERIES)).map(([k, q]) => bad('bad query', `${W}/dataset/${enc(ds(k))}${q}`)),
      ),
      { numRuns: 25, seedOffset: 23, examples },
    );
  });

  it('answers a trailing segment and an unknown path with a 404 (or a 400)', async () => {
    await target().expectAnswers([
      bad('trailing segment', `${W}/dataset/${enc(ds(key()))}/status/versions/extra`, [404]),
      bad('unknown path', `/openapi/v3/${'../'.repeat(5)}etc/passwd`, [404, 400]),
    ]);
  });

  it('then nothing was written: the MCP topic has not grown, and the service is still healthy and still writing', async () => {
    await target().storesMatch();
  }, 180_000);
});
