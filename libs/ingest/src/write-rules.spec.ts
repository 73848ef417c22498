import fc from 'fast-check';
import { MetadataChangeProposal } from '@lib/metadata';
import { aspectKey, LockedAspectRow, StoredAspectRow } from '@lib/sql';
import { CREATE_IF_ENTITY_NOT_EXISTS, CREATE_IF_NOT_EXISTS } from './create-conditions';
import { IF_VERSION_MATCH } from './if-version-match';
import { ProposalRejected } from './proposal-errors';
import { withSource } from './proposal-source';
import { planWrites, StoredState, WriteOutcome, WritePlan } from './write-rules';

const ctx = { registry: { name: 'test', version: '1' }, now: () => 1_700_000_000_000 };
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

/** A stand-in for the table: key `urn NUL aspect NUL version` -> row. */
type Table = Map<string, StoredAspectRow>;
const rowKey = (r: { urn: string; aspect: string; version: number }) => `${aspectKey(r.urn, r.aspect)}\u0000${r.version}`;

/** What the writer's transaction reads from the table before planning. */
function read(table: Table, mcps: MetadataChangeProposal[]): StoredState {
  const wanted = new Set(mcps.map((m) => aspectKey(m.entityUrn, m.aspectName)));
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
  const existingEntities = new Set([...table.values()].map((r) => r.urn));
  return { latest, maxVersions, existingEntities };
}

/** Writes a plan the way the repository does, refusing what SQL would refuse. */
function apply(table: Table, plan: WritePlan): void {
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
    expect(plan.created).toHaveLength(1);
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

  it('leaves the table exactly as one transaction per proposal would, for any sequence of writes', () => {
    const write = fc.record({
      entity: fc.integer({ min: 0, max: 2 }),
      aspect: fc.constantFrom('status', 'datasetProperties'),
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
            const mcp = proposal(w.entity, w.aspect, { v: w.value }, { headers });
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
