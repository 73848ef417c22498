import fc from 'fast-check';
import { aspectKey, loadEntityRegistry, MetadataChangeProposal } from '@lib/metadata';
import { LockedAspectRow, StoredAspectRow } from '@lib/sql';
import { CREATE_IF_ENTITY_NOT_EXISTS, CREATE_IF_NOT_EXISTS, needsEntityCheck } from './create-conditions';
import { IF_VERSION_MATCH } from './if-version-match';
import { PatchNotApplicable, ProposalRejected } from './proposal-errors';
import { JSON_PATCH_CONTENT_TYPE } from './patch';
import { withSource } from './proposal-source';
import { aspectKeys, isEntityDelete, planWrites, PURGE_HEADER, StoredState, WriteOutcome, WritePlan } from './write-rules';

const ctx = { registry: loadEntityRegistry(), now: () => 1_700_000_000_000 };
const urnOf = (n: number) => `urn:li:dataset:(urn:li:dataPlatform:hive,t${n},PROD)`;

function proposal(n: number, aspect: string, value: unknown, extra: Partial<MetadataChangeProposal> = {}): MetadataChangeProposal {
  return {
    entityType: 'dataset',
    entityUrn: urnOf(n),
    changeType: 'UPSERT',
    aspectName: aspect,
    aspect: { value: JSON.stringify(value), contentType: 'application/json' },
    systemMetadata: { runId: 'run', lastObserved: 1 },
    ...extra,
  };
}

function del(n: number, aspect: string, extra: Partial<MetadataChangeProposal> = {}): MetadataChangeProposal {
  const { aspect: _value, ...rest } = proposal(n, aspect, null, extra);
  return { ...rest, changeType: 'DELETE' };
}

function patch(n: number, aspect: string, ops: unknown, extra: Partial<MetadataChangeProposal> = {}): MetadataChangeProposal {
  return { ...proposal(n, aspect, ops, extra), changeType: 'PATCH', aspect: { value: JSON.stringify(ops), contentType: JSON_PATCH_CONTENT_TYPE } };
}
const addTag = (t: string) => [{ op: 'add', path: `/tags/urn:li:tag:${t}`, value: { tag: `urn:li:tag:${t}` } }];
const removeTag = (t: string) => [{ op: 'remove', path: `/tags/urn:li:tag:${t}` }];

/** A stand-in for the table: key `urn NUL aspect NUL version` -> row. */
type Table = Map<string, StoredAspectRow>;
const rowKey = (r: { urn: string; aspect: string; version: number }) => `${aspectKey(r.urn, r.aspect)}\u0000${r.version}`;

const keyAspectOf = (entityType: string) => ctx.registry.entity(entityType).keyAspect;

/** What the writer's transaction reads from the table before planning (the pairs aspectKeys names). */
function read(table: Table, mcps: MetadataChangeProposal[]): StoredState {
  const whole = new Set(mcps.filter((m) => isEntityDelete(m, keyAspectOf) || needsEntityCheck(m.headers)).map((m) => m.entityUrn));
  const entityAspects = new Map<string, string[]>();
  for (const r of table.values()) if (r.version === 0 && whole.has(r.urn)) entityAspects.set(r.urn, [...(entityAspects.get(r.urn) ?? []), r.aspect]);
  const wanted = new Set(aspectKeys(mcps, keyAspectOf, entityAspects).map((p) => aspectKey(p.urn, p.aspect)));
  const latest: LockedAspectRow[] = [];
  const maxVersions = new Map<string, number>();
  for (const r of table.values()) {
    const key = aspectKey(r.urn, r.aspect);
    if (!wanted.has(key)) continue;
    maxVersions.set(key, Math.max(maxVersions.get(key) ?? -1, r.version));
    if (r.version === 0) {
      latest.push({
        urn: r.urn,
        aspect: r.aspect,
        version: 0,
        value: JSON.parse(r.metadataText),
        systemMetadata: r.systemMetadataText ? JSON.parse(r.systemMetadataText) : null,
        metadataText: r.metadataText,
        systemMetadataText: r.systemMetadataText,
        createdOn: r.createdOn.getTime(),
        createdBy: r.createdBy,
        createdFor: r.createdFor,
      });
    }
  }
  return { latest, maxVersions, entityAspects };
}

/** Writes a plan the way the repository does, refusing what SQL would refuse. */
function apply(table: Table, plan: WritePlan): void {
  for (const [key, r] of [...table]) if (r.version > 0 && plan.purged.some((p) => p.urn === r.urn && p.aspect === r.aspect)) table.delete(key);
  for (const r of [...plan.history, ...plan.created]) {
    if (table.has(rowKey(r))) throw new Error(`duplicate key ${rowKey(r)}`);
    table.set(rowKey(r), r);
  }
  for (const r of plan.replaced) {
    if (!table.has(rowKey(r))) throw new Error(`no row to replace at ${rowKey(r)}`);
    table.set(rowKey(r), r);
  }
}

function writeBatch(table: Table, mcps: MetadataChangeProposal[]): WritePlan {
  const plan = planWrites(mcps, read(table, mcps), ctx);
  apply(table, plan);
  return plan;
}

interface GeneratedWrite {
  entity: number;
  aspect: string;
  patchKind: string;
  value: number;
}

/**
 * An upsert of a valid value, or a patch: add or remove a tag or custom property, or a `test` that fails unless the
 * value is there; or a delete of the aspect, purged or not, or of the whole entity.
 */
function mcpOf(w: GeneratedWrite, headers: Record<string, string>): MetadataChangeProposal {
  if (w.patchKind === 'delete') return del(w.entity, w.aspect, { headers });
  if (w.patchKind === 'purge') return del(w.entity, w.aspect, { headers: { ...headers, [PURGE_HEADER]: 'true' } });
  if (w.patchKind === 'deleteEntity') return del(w.entity, 'datasetKey', { headers });
  if (w.aspect === 'globalTags') {
    if (w.patchKind === 'upsert') return proposal(w.entity, 'globalTags', { tags: [{ tag: `urn:li:tag:t${w.value}` }] }, { headers });
    if (w.patchKind === 'remove') return patch(w.entity, 'globalTags', removeTag(`t${w.value}`), { headers });
    if (w.patchKind === 'test')
      return patch(
        w.entity,
        'globalTags',
        [{ op: 'test', path: `/tags/urn:li:tag:t${w.value}/tag`, value: `urn:li:tag:t${w.value}` }, ...removeTag(`t${w.value}`)],
        { headers },
      );
    return patch(w.entity, 'globalTags', addTag(`t${w.value}`), { headers });
  }
  if (w.patchKind === 'upsert' || w.aspect === 'status')
    return proposal(w.entity, w.aspect, w.aspect === 'status' ? { removed: w.value === 1 } : { name: `n${w.value}` }, { headers });
  const path = `/customProperties/k${w.value}`;
  if (w.patchKind === 'remove') return patch(w.entity, w.aspect, [{ op: 'remove', path }], { headers });
  if (w.patchKind === 'test')
    return patch(
      w.entity,
      w.aspect,
      [
        { op: 'test', path, value: 'v' },
        { op: 'replace', path, value: 'w' },
      ],
      { headers },
    );
  return patch(w.entity, w.aspect, [{ op: 'add', path, value: 'v' }], { headers });
}

const kinds = (plan: WritePlan) => plan.results.map((r) => (r instanceof ProposalRejected ? `rejected: ${r.message}` : r.kind));

describe('planWrites', () => {
  it('creates, then versions with history, then no-ops, as one transaction each would', () => {
    const table: Table = new Map();
    const plan = writeBatch(table, [
      proposal(1, 'status', { removed: false }),
      proposal(1, 'status', { removed: true }),
      proposal(1, 'status', { removed: true }),
    ]);
    expect(kinds(plan)).toEqual(['created', 'updated', 'no-op']);
    expect(plan.created.map((r) => r.aspect)).toEqual(['status', 'datasetKey']);
    expect(plan.replaced).toHaveLength(0);
    expect(plan.history.map((r) => [r.version, JSON.parse(r.metadataText)])).toEqual([[1, { removed: false }]]);
    const latest = table.get(rowKey({ urn: urnOf(1), aspect: 'status', version: 0 }))!;
    expect(JSON.parse(latest.metadataText)).toEqual({ removed: true });
    expect(JSON.parse(latest.systemMetadataText!)).toMatchObject({ version: '2', properties: { isNoOp: 'true' } });
    expect((plan.results[1] as WriteOutcome).previous?.value).toEqual({ removed: false });
  });

  it('overwrites a stored latest row rather than inserting it, and numbers history after the stored versions', () => {
    const table: Table = new Map();
    writeBatch(table, [proposal(1, 'status', { removed: false })]);
    writeBatch(table, [proposal(1, 'status', { removed: true })]);
    const plan = writeBatch(table, [proposal(1, 'status', { removed: false })]);
    expect(plan.created).toHaveLength(0);
    expect(plan.replaced).toHaveLength(1);
    expect(plan.history.map((r) => r.version)).toEqual([2]);
    expect((plan.results[0] as WriteOutcome).systemMetadata.version).toBe('3');
  });

  it('recognises a redelivered proposal by its source offset and by its trace id, and writes nothing for it', () => {
    const table: Table = new Map();
    const first = withSource(proposal(1, 'status', { removed: false }), 'mcp', 0, '10');
    writeBatch(table, [first]);
    const traced = proposal(2, 'status', { removed: true }, { systemMetadata: { runId: 'r', lastObserved: 1, properties: { telemetryTraceId: 'abc' } } });
    writeBatch(table, [traced]);
    const plan = writeBatch(table, [first, withSource(proposal(1, 'status', { removed: true }), 'mcp', 0, '9'), traced]);
    expect(kinds(plan)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(plan.history.length + plan.created.length + plan.replaced.length).toBe(0);
  });

  it('checks If-Version-Match against the version the earlier writes of the same batch left', () => {
    const table: Table = new Map();
    const plan = writeBatch(table, [
      proposal(1, 'status', { removed: false }, { headers: { [IF_VERSION_MATCH]: '-1' } }),
      proposal(1, 'status', { removed: true }, { headers: { [IF_VERSION_MATCH]: '-1' } }),
      proposal(1, 'status', { removed: true }, { headers: { [IF_VERSION_MATCH]: '1' } }),
    ]);
    expect(kinds(plan)).toEqual(['created', 'rejected: Expected version -1, actual version 1', 'updated']);
    expect(plan.history).toHaveLength(1);
  });

  it('applies the create conditions, counting entities created earlier in the batch', () => {
    const table: Table = new Map();
    const plan = writeBatch(table, [
      proposal(1, 'status', { removed: false }, { headers: { [CREATE_IF_NOT_EXISTS]: 'false' } }),
      proposal(1, 'status', { removed: false }, { headers: { [CREATE_IF_ENTITY_NOT_EXISTS]: 'true' } }),
      proposal(1, 'datasetProperties', { name: 'x' }, { headers: { [CREATE_IF_ENTITY_NOT_EXISTS]: 'true' } }),
      proposal(1, 'status', { removed: true }, { headers: { [CREATE_IF_NOT_EXISTS]: 'false' } }),
    ]);
    expect(kinds(plan)).toEqual([
      'rejected: Aspect does not exist and createIfNotExists is false',
      'created',
      'rejected: Entity already exists and createIfEntityNotExists is true',
      'updated',
    ]);
  });

  it('rejects a value that is not JSON without touching its neighbours', () => {
    const bad: MetadataChangeProposal = { ...proposal(1, 'status', {}), aspect: { value: '{nope', contentType: 'application/json' } };
    const plan = writeBatch(new Map(), [proposal(2, 'status', { removed: false }), bad, proposal(3, 'status', { removed: false })]);
    expect(kinds(plan)).toEqual(['created', 'rejected: aspect status of ' + urnOf(1) + ': value is not valid JSON', 'created']);
  });

  it('applies patches in order, each to the value the one before left, starting from the empty value', () => {
    const table: Table = new Map();
    const plan = writeBatch(table, [patch(1, 'globalTags', addTag('a')), patch(1, 'globalTags', addTag('b')), patch(1, 'globalTags', removeTag('a'))]);
    expect(kinds(plan)).toEqual(['created', 'updated', 'updated']);
    expect((plan.results[2] as WriteOutcome).value).toEqual({ tags: [{ tag: 'urn:li:tag:b' }] });
    const next = writeBatch(table, [patch(1, 'globalTags', { patch: addTag('c') })]);
    expect((next.results[0] as WriteOutcome).value).toEqual({ tags: [{ tag: 'urn:li:tag:b' }, { tag: 'urn:li:tag:c' }] });
    expect(JSON.parse(table.get(rowKey({ urn: urnOf(1), aspect: 'globalTags', version: 0 }))!.metadataText)).toEqual({
      tags: [{ tag: 'urn:li:tag:b' }, { tag: 'urn:li:tag:c' }],
    });
  });

  it('a patch starts a new aspect from its empty value: required arrays empty, required audit stamps by the writer', () => {
    const plan = writeBatch(new Map(), [
      patch(1, 'glossaryTerms', [{ op: 'add', path: '/terms/urn:li:glossaryTerm:t', value: { urn: 'urn:li:glossaryTerm:t' } }], {
        created: { time: 5, actor: 'urn:li:corpuser:ann' },
      }),
    ]);
    expect((plan.results[0] as WriteOutcome).value).toEqual({
      terms: [{ urn: 'urn:li:glossaryTerm:t' }],
      auditStamp: { time: ctx.now(), actor: 'urn:li:corpuser:ann' },
    });
  });

  it('a patch that changes nothing is a no-op; one that does not apply or makes an invalid value is rejected alone', () => {
    const table: Table = new Map();
    writeBatch(table, [patch(1, 'globalTags', addTag('a'))]);
    const plan = writeBatch(table, [
      patch(1, 'globalTags', removeTag('zzz')),
      patch(1, 'globalTags', [{ op: 'test', path: '/tags/urn:li:tag:a/context', value: 'x' }, ...addTag('b')]),
      patch(1, 'globalTags', [{ op: 'add', path: '/tags/urn:li:tag:c', value: { tag: 'not a urn' } }]),
      patch(1, 'globalTags', addTag('d')),
    ]);
    expect(kinds(plan)).toEqual([
      'no-op',
      'rejected: patch of globalTags does not apply: test: /tags/urn:li:tag:a/context does not exist',
      expect.stringMatching(/^rejected: patch of globalTags makes an invalid value: /),
      'updated',
    ]);
    expect(plan.results[1]).toBeInstanceOf(PatchNotApplicable);
    expect((plan.results[3] as WriteOutcome).value).toEqual({ tags: [{ tag: 'urn:li:tag:a' }, { tag: 'urn:li:tag:d' }] });
  });

  it('rejects a patch whose result is larger than MAX_ASPECT_BYTES', () => {
    const plan = planWrites([patch(1, 'datasetProperties', [{ op: 'add', path: '/description', value: 'x'.repeat(100) }])], read(new Map(), []), {
      ...ctx,
      maxAspectBytes: 64,
    });
    expect(kinds(plan)).toEqual([
      expect.stringMatching(/^rejected: patch of datasetProperties does not apply: the patched value is too large: \d+ bytes as JSON, at most 64$/),
    ]);
  });

  it('checks If-Version-Match on a patch before applying it', () => {
    const table: Table = new Map();
    const plan = writeBatch(table, [
      patch(1, 'globalTags', addTag('a'), { headers: { [IF_VERSION_MATCH]: '-1' } }),
      patch(1, 'globalTags', [{ op: 'test', path: '/nope', value: 1 }], { headers: { [IF_VERSION_MATCH]: '7' } }),
      patch(1, 'globalTags', addTag('b'), { headers: { [IF_VERSION_MATCH]: '1' } }),
    ]);
    expect(kinds(plan)).toEqual(['created', 'rejected: Expected version 7, actual version 1', 'updated']);
  });

  it("writes the key aspect, derived from the URN, with an entity's first value, under the same trace, and never again", () => {
    const table: Table = new Map();
    const sm = { runId: 'r', lastObserved: 1, properties: { telemetryTraceId: 'first' } };
    const plan = writeBatch(table, [proposal(1, 'status', { removed: false }, { systemMetadata: sm }), proposal(1, 'datasetProperties', { name: 'x' })]);
    const also = (plan.results[0] as WriteOutcome).also ?? [];
    expect(also.map((a) => [a.mcp.aspectName, a.outcome.kind, a.outcome.value])).toEqual([
      ['datasetKey', 'created', { platform: 'urn:li:dataPlatform:hive', name: 't1', origin: 'PROD' }],
    ]);
    expect(also[0].outcome.systemMetadata.properties).toMatchObject({ telemetryTraceId: 'first' });
    expect((plan.results[1] as WriteOutcome).also).toBeUndefined();
    const next = writeBatch(table, [proposal(1, 'status', { removed: true })]);
    expect((next.results[0] as WriteOutcome).also).toBeUndefined();
    // A rejected first write brings no key.
    const rejected = writeBatch(table, [proposal(2, 'status', { removed: true }, { headers: { [CREATE_IF_NOT_EXISTS]: 'false' } })]);
    expect(rejected.created).toHaveLength(0);
  });

  it("a delete makes a tombstone with the delete's actor and trace, keeps the value as history, and reads as deleted", () => {
    const table: Table = new Map();
    writeBatch(table, [proposal(1, 'status', { removed: false })]);
    const sm = { runId: 'r', lastObserved: 1, properties: { telemetryTraceId: 'del' } };
    const plan = writeBatch(table, [del(1, 'status', { systemMetadata: sm, created: { time: 1, actor: 'urn:li:corpuser:ann' } })]);
    expect(kinds(plan)).toEqual(['deleted']);
    const outcome = plan.results[0] as WriteOutcome;
    expect(outcome).toMatchObject({ value: null, createdBy: 'urn:li:corpuser:ann', previous: { value: { removed: false } } });
    expect(outcome.systemMetadata).toMatchObject({ version: '2', properties: { telemetryTraceId: 'del' } });
    const latest = table.get(rowKey({ urn: urnOf(1), aspect: 'status', version: 0 }))!;
    expect([latest.metadataText, latest.createdBy]).toEqual(['null', 'urn:li:corpuser:ann']);
    expect(JSON.parse(table.get(rowKey({ urn: urnOf(1), aspect: 'status', version: 1 }))!.metadataText)).toEqual({ removed: false });
    // Deleting it again changes nothing; the same delete redelivered is a duplicate; writing it again makes it live.
    expect(kinds(writeBatch(table, [del(1, 'status')]))).toEqual(['no-op']);
    const again = writeBatch(table, [del(1, 'status', { systemMetadata: sm }), proposal(1, 'status', { removed: true })]);
    expect(kinds(again)).toEqual(['duplicate', 'created']);
    expect(JSON.parse(table.get(rowKey({ urn: urnOf(1), aspect: 'status', version: 0 }))!.metadataText)).toEqual({ removed: true });
  });

  it('a delete of an aspect that was never written leaves a tombstone, so the delete is audited and traced', () => {
    const table: Table = new Map();
    const plan = writeBatch(table, [del(1, 'globalTags')]);
    expect(kinds(plan)).toEqual(['deleted']);
    expect(plan.created.map((r) => [r.aspect, r.metadataText])).toEqual([['globalTags', 'null']]);
    expect(writeBatch(table, [del(1, 'globalTags', { headers: { [IF_VERSION_MATCH]: '5' } })]).results[0]).toBeInstanceOf(ProposalRejected);
  });

  it('an entity delete (its key aspect) tombstones every aspect of the entity, key last, and its entity no longer exists', () => {
    const table: Table = new Map();
    writeBatch(table, [proposal(1, 'status', { removed: false }), proposal(1, 'datasetProperties', { name: 'x' }), proposal(2, 'status', { removed: false })]);
    const plan = writeBatch(table, [proposal(1, 'globalTags', { tags: [] }), del(1, 'datasetKey')]);
    expect(kinds(plan)).toEqual(['created', 'deleted']);
    const outcome = plan.results[1] as WriteOutcome;
    expect(outcome.also?.map((a) => [a.mcp.aspectName, a.outcome.kind])).toEqual([
      ['datasetProperties', 'deleted'],
      ['globalTags', 'deleted'],
      ['status', 'deleted'],
    ]);
    const live = [...table.values()].filter((r) => r.version === 0 && r.metadataText !== 'null').map((r) => `${r.urn === urnOf(1) ? 1 : 2}:${r.aspect}`);
    expect(live.sort()).toEqual(['2:datasetKey', '2:status']);
    const recreate = writeBatch(table, [proposal(1, 'status', { removed: true }, { headers: { [CREATE_IF_ENTITY_NOT_EXISTS]: 'true' } })]);
    expect(kinds(recreate)).toEqual(['created']);
    expect((recreate.results[0] as WriteOutcome).also?.map((a) => a.mcp.aspectName)).toEqual(['datasetKey']);
  });

  it('a purge removes every stored value, history too, and leaves only the tombstone, continuing the version count', () => {
    const table: Table = new Map();
    writeBatch(table, [proposal(1, 'status', { removed: false })]);
    writeBatch(table, [proposal(1, 'status', { removed: true })]);
    const plan = writeBatch(table, [proposal(1, 'status', { removed: false }), del(1, 'status', { headers: { [PURGE_HEADER]: 'true' } })]);
    expect(kinds(plan)).toEqual(['updated', 'deleted']);
    expect((plan.results[1] as WriteOutcome).purgedRows).toBe(3);
    expect((plan.results[1] as WriteOutcome).systemMetadata.version).toBe('4');
    const rows = [...table.values()].filter((r) => r.aspect === 'status');
    expect(rows.map((r) => [r.version, r.metadataText])).toEqual([[0, 'null']]);
    expect(kinds(writeBatch(table, [proposal(1, 'status', { removed: true })]))).toEqual(['created']);
    expect(
      [...table.values()]
        .filter((r) => r.aspect === 'status')
        .map((r) => r.version)
        .sort(),
    ).toEqual([0, 1]);
  });

  it('leaves the table exactly as one transaction per proposal would, for any sequence of writes and patches', () => {
    const write = fc.record({
      entity: fc.integer({ min: 0, max: 2 }),
      aspect: fc.constantFrom('status', 'datasetProperties', 'globalTags'),
      patchKind: fc.constantFrom('upsert', 'add', 'remove', 'test', 'delete', 'purge', 'deleteEntity'),
      value: fc.integer({ min: 0, max: 2 }),
      expect: fc.option(fc.integer({ min: -1, max: 4 }), { nil: undefined }),
      createOnly: fc.boolean(),
      offset: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(fc.array(write, { maxLength: 12 }), { maxLength: 4 }), (batches) => {
        const batched: Table = new Map();
        const single: Table = new Map();
        const batchKinds: string[] = [];
        const singleKinds: string[] = [];
        for (const batch of batches) {
          const mcps = batch.map((w) => {
            const headers = {
              ...(w.expect !== undefined ? { [IF_VERSION_MATCH]: String(w.expect) } : {}),
              ...(w.createOnly ? { [CREATE_IF_ENTITY_NOT_EXISTS]: 'true' } : {}),
            };
            const mcp = mcpOf(w, headers);
            return w.offset === undefined ? mcp : withSource(mcp, 'mcp', 0, String(w.offset));
          });
          batchKinds.push(...kinds(writeBatch(batched, mcps)));
          for (const mcp of mcps) singleKinds.push(...kinds(writeBatch(single, [mcp])));
        }
        expect(batchKinds).toEqual(singleKinds);
        expect(new Map([...batched].sort())).toEqual(new Map([...single].sort()));
      }),
      { numRuns: 300 },
    );
  });
});
