import fc from 'fast-check';
import { loadEntityRegistry } from '@lib/metadata';
import sdk from './fixtures/sdk-patches.json';
import { applyAspectPatch } from './aspect-patch';
import { PatchConflict } from './json-patch';
import { parsePatchDocument, PatchSyntaxError } from './patch-document';

const registry = loadEntityRegistry();
const TAG = 'urn:li:tag:pii';
const OTHER_TAG = 'urn:li:tag:keep';
const TERM = 'urn:li:glossaryTerm:Sensitive';
const ALICE = 'urn:li:corpuser:alice';
const BOB = 'urn:li:corpuser:bob';
const UPSTREAM = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.upstream,PROD)';
const OTHER_UPSTREAM = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.other,PROD)';
const FIELD_A = `urn:li:schemaField:(${UPSTREAM},a)`;
const FIELD_B = 'urn:li:schemaField:(urn:li:dataset:(urn:li:dataPlatform:hive,db.patched,PROD),b)';
const stamp = { time: 1, actor: 'urn:li:corpuser:datahub' };

type CaseName = keyof typeof sdk.cases;
const patchOf = (name: CaseName) => parsePatchDocument(sdk.cases[name].value);
const apply = (aspect: string, doc: unknown, before: unknown) => applyAspectPatch(aspect, parsePatchDocument(doc), before);

describe('the SDK patches (acryl-datahub builders, test/compat/generate_patch_fixtures.py)', () => {
  const table: [CaseName, unknown, unknown][] = [
    ['add_tag', { tags: [] }, { tags: [{ tag: TAG }] }],
    ['add_tag', { tags: [{ tag: OTHER_TAG }] }, { tags: [{ tag: OTHER_TAG }, { tag: TAG }] }],
    // RFC 6902 add replaces what is there: the element is the one the patch sends.
    ['add_tag', { tags: [{ tag: TAG, context: 'replaced' }] }, { tags: [{ tag: TAG }] }],
    ['remove_tag', { tags: [{ tag: OTHER_TAG }, { tag: TAG }] }, { tags: [{ tag: OTHER_TAG }] }],
    ['remove_tag', { tags: [{ tag: OTHER_TAG }] }, { tags: [{ tag: OTHER_TAG }] }],
    ['add_term', { terms: [], auditStamp: stamp }, { terms: [{ urn: TERM }], auditStamp: stamp }],
    [
      'remove_term',
      { terms: [{ urn: TERM }, { urn: 'urn:li:glossaryTerm:x' }], auditStamp: stamp },
      { terms: [{ urn: 'urn:li:glossaryTerm:x' }], auditStamp: stamp },
    ],
    [
      'add_owner',
      { owners: [{ owner: BOB, type: 'DATAOWNER' }] },
      {
        owners: [
          { owner: BOB, type: 'DATAOWNER' },
          { owner: ALICE, type: 'TECHNICAL_OWNER' },
        ],
      },
    ],
    [
      // keyed by owner, type, typeUrn (absent: "") and attribution.source: the unattributed element stays beside it
      'add_owner_with_attribution',
      { owners: [{ owner: ALICE, type: 'TECHNICAL_OWNER' }] },
      {
        owners: [
          { owner: ALICE, type: 'TECHNICAL_OWNER' },
          {
            owner: ALICE,
            type: 'TECHNICAL_OWNER',
            attribution: { time: 1, actor: 'urn:li:corpuser:bot', source: 'urn:li:dataHubAction:sync', sourceDetail: {} },
          },
        ],
      },
    ],
    [
      'remove_owner',
      {
        owners: [
          { owner: ALICE, type: 'DATAOWNER' },
          { owner: BOB, type: 'DATAOWNER' },
          { owner: ALICE, type: 'TECHNICAL_OWNER' },
        ],
      },
      { owners: [{ owner: BOB, type: 'DATAOWNER' }] },
    ],
    [
      'remove_owner_of_type',
      {
        owners: [
          { owner: ALICE, type: 'DATAOWNER' },
          { owner: ALICE, type: 'TECHNICAL_OWNER' },
        ],
      },
      { owners: [{ owner: ALICE, type: 'DATAOWNER' }] },
    ],
    ['set_description', { name: 'n', description: 'old' }, { name: 'n', description: 'a/b ~ c' }],
    ['set_description', {}, { description: 'a/b ~ c' }],
    ['add_custom_property', { name: 'n' }, { name: 'n', customProperties: { 'team/~x': 'growth' } }],
    ['remove_custom_property', { customProperties: { 'team/~x': 'growth', a: 'b' } }, { customProperties: { a: 'b' } }],
    [
      'add_upstream_lineage',
      { upstreams: [{ dataset: OTHER_UPSTREAM, type: 'COPY' }] },
      {
        upstreams: [
          { dataset: OTHER_UPSTREAM, type: 'COPY' },
          { dataset: UPSTREAM, type: 'TRANSFORMED', auditStamp: { time: 0, actor: 'urn:li:corpuser:unknown' } },
        ],
      },
    ],
    [
      'remove_upstream_lineage',
      {
        upstreams: [
          { dataset: UPSTREAM, type: 'COPY' },
          { dataset: OTHER_UPSTREAM, type: 'COPY' },
        ],
      },
      { upstreams: [{ dataset: OTHER_UPSTREAM, type: 'COPY' }] },
    ],
    [
      'add_fine_grained_upstream_lineage',
      { upstreams: [] },
      {
        upstreams: [],
        fineGrainedLineages: [
          {
            upstreamType: 'FIELD_SET',
            upstreams: [FIELD_A],
            downstreamType: 'FIELD',
            downstreams: [FIELD_B],
            transformOperation: 'IDENTITY',
            confidenceScore: 0.5,
          },
        ],
      },
    ],
  ];

  it.each(table)('%s: %j -> %j', (name, before, after) => {
    const { aspectName } = sdk.cases[name];
    const result = applyAspectPatch(aspectName, patchOf(name), before);
    expect(result).toEqual(after);
    expect(registry.validateAspect('dataset', aspectName, result)).toEqual({ ok: true, value: undefined });
  });

  it('every fixture is a PATCH in the JSON Patch content type', () => {
    for (const c of Object.values(sdk.cases)) expect([c.changeType, c.contentType]).toEqual(['PATCH', 'application/json-patch+json']);
  });

  it('an element whose key lives only in the path gets the key back', () => {
    const result = apply('globalTags', [{ op: 'add', path: `/tags/${TAG}/context`, value: 'from path' }], { tags: [] });
    expect(result).toEqual({ tags: [{ context: 'from path', tag: TAG }] });
  });

  it('leaves arrays the patch does not touch exactly as stored, duplicates and order included', () => {
    const before = {
      upstreams: [{ dataset: UPSTREAM, type: 'COPY' }],
      fineGrainedLineages: [{ upstreamType: 'FIELD_SET', downstreamType: 'FIELD', downstreams: [FIELD_A, FIELD_B] }],
    };
    expect(applyAspectPatch('upstreamLineage', patchOf('add_upstream_lineage'), before)).toMatchObject({ fineGrainedLineages: before.fineGrainedLineages });
  });

  it('elements with the same keys merge into one, later fields winning, an own __proto__ field staying a field', () => {
    const before = JSON.parse(`{"tags": [{"tag": "${TAG}", "context": "a"}, {"tag": "${TAG}", "context": "b", "__proto__": {"polluted": true}}]}`);
    const result = apply('globalTags', [{ op: 'add', path: `/tags/${OTHER_TAG}`, value: { tag: OTHER_TAG } }], before) as { tags: Record<string, unknown>[] };
    expect(result.tags.map((t) => [t.tag, t.context])).toEqual([
      [TAG, 'b'],
      [OTHER_TAG, undefined],
    ]);
    expect(Object.getPrototypeOf(result.tags[0])).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(result.tags[0], '__proto__')?.value).toEqual({ polluted: true });
  });

  it('removing a whole keyed array leaves it empty, as the reference does', () => {
    expect(apply('globalTags', [{ op: 'remove', path: '/tags' }], { tags: [{ tag: TAG }] })).toEqual({ tags: [] });
  });

  it('a string array without key fields is addressed by its strings', () => {
    expect(apply('domains', [{ op: 'add', path: '/domains/urn:li:domain:b', value: 'urn:li:domain:b' }], { domains: ['urn:li:domain:a'] })).toEqual({
      domains: ['urn:li:domain:a', 'urn:li:domain:b'],
    });
    expect(apply('domains', [{ op: 'remove', path: '/domains/urn:li:domain:a' }], { domains: ['urn:li:domain:a'] })).toEqual({ domains: [] });
  });

  it('keys that look like numbers keep their elements in order', () => {
    const before = { elements: [{ url: '2', description: 'b', createStamp: stamp }] };
    const result = apply('institutionalMemory', [{ op: 'add', path: '/elements/1', value: { url: '1', description: 'a', createStamp: stamp } }], before) as {
      elements: { url: string }[];
    };
    expect(result.elements.map((e) => e.url)).toEqual(['2', '1']);
  });
});

describe('RFC 6902', () => {
  const doc = { name: 'n', customProperties: { a: '1', 'x/y': '2', 'm~n': '3' }, tags: ['t1', 't2'] };
  const run = (ops: unknown[]) => applyAspectPatch('datasetProperties', parsePatchDocument(ops), doc);

  it('test passes on an equal value (key order does not matter) and fails with the values in the message', () => {
    expect(run([{ op: 'test', path: '/customProperties', value: { 'm~n': '3', 'x/y': '2', a: '1' } }])).toEqual(doc);
    expect(() => run([{ op: 'test', path: '/name', value: 'other' }])).toThrow(new PatchConflict('test failed at /name: expected "other", found "n"'));
    expect(() => run([{ op: 'test', path: '/missing', value: 1 }])).toThrow('test: /missing does not exist');
  });

  it('remove of a missing path changes nothing; replace of one fails', () => {
    expect(
      run([
        { op: 'remove', path: '/customProperties/zzz' },
        { op: 'remove', path: '/nope/deeper' },
      ]),
    ).toEqual(doc);
    expect(() => run([{ op: 'replace', path: '/description', value: 'd' }])).toThrow('replace: /description does not exist');
  });

  it('~1 is "/" and ~0 is "~" in a path', () => {
    expect(
      run([
        { op: 'remove', path: '/customProperties/x~1y' },
        { op: 'replace', path: '/customProperties/m~0n', value: '9' },
      ]),
    ).toMatchObject({
      customProperties: { a: '1', 'm~n': '9' },
    });
  });

  it('- appends to an array, an index inserts, replace swaps in place, out of range fails', () => {
    expect(run([{ op: 'add', path: '/tags/-', value: 't3' }])).toMatchObject({ tags: ['t1', 't2', 't3'] });
    expect(run([{ op: 'add', path: '/tags/0', value: 't0' }])).toMatchObject({ tags: ['t0', 't1', 't2'] });
    expect(run([{ op: 'replace', path: '/tags/1', value: 'T' }])).toMatchObject({ tags: ['t1', 'T'] });
    expect(() => run([{ op: 'add', path: '/tags/5', value: 'x' }])).toThrow(PatchConflict);
    expect(() => run([{ op: 'add', path: '/tags/01', value: 'x' }])).toThrow(PatchConflict);
  });

  it('copy and move', () => {
    expect(run([{ op: 'copy', from: '/name', path: '/description' }])).toMatchObject({ name: 'n', description: 'n' });
    const moved = run([{ op: 'move', from: '/name', path: '/qualifiedName' }]) as Record<string, unknown>;
    expect(moved.qualifiedName).toBe('n');
    expect('name' in moved).toBe(false);
    expect(() => run([{ op: 'move', from: '/nothing', path: '/x' }])).toThrow('move: /nothing does not exist');
  });

  it('adding under a scalar fails', () => {
    expect(() => run([{ op: 'add', path: '/name/x', value: 1 }])).toThrow('/name is not an object or array');
  });

  it('a __proto__ key is an ordinary member', () => {
    const result = run([{ op: 'add', path: '/customProperties/__proto__', value: 'p' }]) as { customProperties: Record<string, string> };
    expect(Object.getOwnPropertyDescriptor(result.customProperties, '__proto__')?.value).toBe('p');
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });

  it('a patch that would make a value larger than the limit fails, also while copies double it', () => {
    const doubling = Array.from({ length: 40 }, () => ({ op: 'copy', from: '/customProperties', path: '/customProperties/more' }));
    expect(() => applyAspectPatch('datasetProperties', parsePatchDocument(doubling), { customProperties: { a: 'x'.repeat(100) } }, 4096)).toThrow(
      /the patched value is too large: \d+ bytes as JSON, at most 4096/,
    );
    expect(() => applyAspectPatch('datasetProperties', parsePatchDocument([{ op: 'add', path: '/description', value: 'x'.repeat(5000) }]), {}, 4096)).toThrow(
      PatchConflict,
    );
  });

  it('does not change its input', () => {
    const before = JSON.parse(JSON.stringify(doc));
    run([
      { op: 'remove', path: '/tags/0' },
      { op: 'add', path: '/customProperties/z', value: 'z' },
    ]);
    expect(doc).toEqual(before);
  });
});

describe('parsePatchDocument', () => {
  it.each([
    [{}, 'patch must be a JSON array of operations'],
    [[], 'patch must contain at least one operation'],
    ['x', 'a patch must be a JSON array'],
    [[{ op: 'merge', path: '/a' }], 'patch[0].op must be one of add, remove, replace, copy, move, test'],
    [[{ op: 'add', path: 'a', value: 1 }], 'patch[0].path: path "a" must be empty or start with "/"'],
    [[{ op: 'add', path: '/a~2', value: 1 }], '"~" must be followed by 0 or 1'],
    [[{ op: 'add', path: '/a' }], 'patch[0]: add needs a value'],
    [[{ op: 'copy', path: '/a' }], 'patch[0].from must be a string'],
    [[{ op: 'remove', path: '' }], 'cannot remove the whole aspect'],
    [[{ op: 'move', from: '/a', path: '/a/b' }], 'cannot move a value into itself'],
    [{ patch: [{ op: 'remove', path: '/a' }], arrayPrimaryKeys: { tags: 'tag' } }, 'arrayPrimaryKeys.tags must be an array'],
    [{ patch: [{ op: 'remove', path: '/a' }], extra: 1 }, 'unexpected field extra'],
  ])('%j is refused: %s', (doc, message) => {
    expect(() => parsePatchDocument(doc)).toThrow(PatchSyntaxError);
    expect(() => parsePatchDocument(doc)).toThrow(message);
  });

  it('accepts the remove ops the SDK sends with an empty value', () => {
    expect(parsePatchDocument(sdk.cases.remove_tag.value).operations).toEqual([{ op: 'remove', path: ['tags', TAG] }]);
  });
});

describe('properties', () => {
  const tagUrn = fc.stringMatching(/^[a-z0-9_./~-]{1,12}$/).map((s) => `urn:li:tag:${s}`);
  const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

  it('adding a tag that is not there, then removing it, restores the original', () => {
    fc.assert(
      fc.property(fc.uniqueArray(tagUrn, { maxLength: 6 }), tagUrn, (tags, added) => {
        fc.pre(!tags.includes(added));
        const before = { tags: tags.map((tag) => ({ tag })) };
        const withTag = apply('globalTags', [{ op: 'add', path: `/tags/${escape(added)}`, value: { tag: added } }], before);
        expect((withTag as typeof before).tags.map((t) => t.tag)).toEqual([...tags, added]);
        expect(apply('globalTags', [{ op: 'remove', path: `/tags/${escape(added)}` }], withTag)).toEqual(before);
      }),
    );
  });

  it('an SDK add_tag is idempotent and keeps every other tag', () => {
    fc.assert(
      fc.property(fc.uniqueArray(tagUrn, { maxLength: 6 }), (tags) => {
        const before = { tags: tags.map((tag) => ({ tag })) };
        const once = applyAspectPatch('globalTags', patchOf('add_tag'), before);
        expect(applyAspectPatch('globalTags', patchOf('add_tag'), once)).toEqual(once);
        expect(new Set((once as typeof before).tags.map((t) => t.tag))).toEqual(new Set([...tags, TAG]));
      }),
    );
  });
});
