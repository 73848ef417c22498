import { aspectKey, MetadataChangeProposal, SystemMetadata, SystemMetadataKeys, ValidationResult } from '@lib/metadata';
import { AspectKey, LockedAspectRow, StoredAspectRow } from '@lib/sql';
import { sameValue } from './canonical-json';
import { checkIfVersionMatch } from './if-version-match';
import { checkCreateConditions, needsEntityCheck } from './create-conditions';
import { alreadyApplied } from './proposal-source';
import { InvalidProposal, PatchNotApplicable, ProposalRejected } from './proposal-errors';
import { patchOf } from './proposal-parser';
import { applyAspectPatch, PatchConflict } from './patch';
import { aspectVersionOf, propertiesOf, traceIdOf, withoutWriteMarkers } from './system-metadata';

export const DEFAULT_ACTOR = 'urn:li:corpuser:__anonymous';

/**
 * Header of a DELETE proposal asking to purge: every stored value of the aspect goes, history included; the
 * tombstone (who deleted, when, under which trace) stays.
 */
export const PURGE_HEADER = 'X-Delete-Purge';

/**
 * created: first version; updated: a new version, the old one kept as history; deleted: a tombstone
 * (value null) is the new latest, the deleted value kept as history unless purged; no-op: same value (or
 * deleting what is deleted), only lastObserved and the write markers moved; duplicate: this very proposal
 * was applied before (a redelivery), nothing changed.
 */
export type WriteKind = 'created' | 'updated' | 'deleted' | 'no-op' | 'duplicate';

export interface WriteOutcome {
  kind: WriteKind;
  /** The new latest value; null for a tombstone. */
  value: unknown;
  systemMetadata: SystemMetadata;
  createdOn: number;
  createdBy: string;
  previous?: { value: unknown; systemMetadata: SystemMetadata | null };
  /** Rows of stored values a purge removed (history and the live value). */
  purgedRows?: number;
  /**
   * Writes this proposal made to other aspects of its entity, each with its own change log: the key aspect
   * written with an entity's first aspect, or the aspects an entity delete tombstoned besides its key.
   */
  also?: { mcp: MetadataChangeProposal; outcome: WriteOutcome }[];
}

/** What the transaction read before applying the rules: the locked latest rows and what else the rules need. */
export interface StoredState {
  latest: LockedAspectRow[];
  /** Highest stored version per aspectKey(urn, aspect); pairs without rows are absent. */
  maxVersions: Map<string, number>;
  /**
   * Every aspect with a latest row (tombstones too) of the entities this batch deletes whole or asks whether
   * they exist (createIfEntityNotExists); their latest rows are in `latest`.
   */
  entityAspects?: Map<string, string[]>;
}

/** The rows one batch writes, and what it did to each proposal (in the proposals' order). */
export interface WritePlan {
  results: (WriteOutcome | ProposalRejected)[];
  /** Previous latest values kept as history (version >= 1). */
  history: StoredAspectRow[];
  /** New latest rows of aspects that had none when read. */
  created: StoredAspectRow[];
  /** Latest rows that existed when read (and are locked) and changed. */
  replaced: StoredAspectRow[];
  /** Aspects whose stored history a purge removes; removed before `history` and `created` are inserted. */
  purged: AspectKey[];
}

export interface RuleContext {
  /** The entity registry: its name and version for systemMetadata, and what a PATCH needs (empty value, validation). */
  registry: {
    name: string;
    version: string;
    emptyAspectValue(entityType: string, aspectName: string, stamp: { time: number; actor: string }): unknown;
    validateAspect(entityType: string, aspectName: string, value: unknown): ValidationResult;
    entity(entityType: string): { keyAspect: string };
    keyAspectValue(urn: string): Record<string, string>;
  };
  now: () => number;
  /** Largest value a PATCH may make, as JSON bytes (MAX_ASPECT_BYTES, the limit the API puts on written values). */
  maxAspectBytes?: number;
}

/** One aspect's latest row as the batch goes: where the rules of each proposal start from. */
interface AspectState {
  latest?: LockedAspectRow;
  /** Highest version number stored or planned (-1: no row at all, 0: only the latest). */
  maxVersion: number;
  /** The latest row existed when read, so it is locked and overwritten rather than inserted. */
  stored: boolean;
  /** The latest row is to be written. */
  changed: boolean;
}

/** Whether a proposal deletes its whole entity: a DELETE of the key aspect, as in DataHub. */
export function isEntityDelete(mcp: MetadataChangeProposal, keyAspectOf: (entityType: string) => string): boolean {
  return mcp.changeType === 'DELETE' && mcp.aspectName === keyAspectOf(mcp.entityType);
}

/**
 * The entities of which the rules need every aspect: those deleted whole, and those whose proposals ask whether
 * they exist (createIfEntityNotExists).
 */
export function entitiesReadWhole(mcps: MetadataChangeProposal[], keyAspectOf: (entityType: string) => string): string[] {
  return [...new Set(mcps.filter((m) => isEntityDelete(m, keyAspectOf) || needsEntityCheck(m.headers)).map((m) => m.entityUrn))];
}

/**
 * The distinct (urn, aspect) pairs the rules read for some proposals: their own, their entities' key aspects
 * (written with an entity's first aspect), and every aspect of the entities read whole (`entityAspects`).
 */
export function aspectKeys(mcps: MetadataChangeProposal[], keyAspectOf?: (entityType: string) => string, entityAspects?: Map<string, string[]>): AspectKey[] {
  const seen = new Map<string, AspectKey>();
  const add = (urn: string, aspect: string) => seen.set(aspectKey(urn, aspect), { urn, aspect });
  for (const m of mcps) {
    add(m.entityUrn, m.aspectName);
    if (keyAspectOf) add(m.entityUrn, keyAspectOf(m.entityType));
  }
  for (const [urn, aspects] of entityAspects ?? []) for (const aspect of aspects) add(urn, aspect);
  return [...seen.values()];
}

/** A latest row that holds a value, not a tombstone. */
function live(row: LockedAspectRow | undefined): row is LockedAspectRow {
  return row !== undefined && row.value !== null;
}

/**
 * The one place where the rules of a versioned write live: applies proposals, in order, to the stored state
 * they were read against, and returns what each did and the rows to write. Several proposals of one aspect
 * each start from the result of the one before, exactly as if each were its own transaction; a rejected one
 * changes nothing and does not stop the others. Pure: the caller reads and writes SQL.
 */
export function planWrites(mcps: MetadataChangeProposal[], stored: StoredState, ctx: RuleContext): WritePlan {
  const states = new Map<string, AspectState>();
  for (const row of stored.latest) {
    const key = aspectKey(row.urn, row.aspect);
    states.set(key, { latest: row, maxVersion: stored.maxVersions.get(key) ?? 0, stored: true, changed: false });
  }
  const stateOf = (urn: string, aspect: string): AspectState => {
    const key = aspectKey(urn, aspect);
    let state = states.get(key);
    if (!state) states.set(key, (state = { maxVersion: stored.maxVersions.get(key) ?? -1, stored: false, changed: false }));
    return state;
  };
  const plan: WritePlan = { results: [], history: [], created: [], replaced: [], purged: [] };
  // An entity exists while any of its aspects has a value; the states hold all of them for the entities asked about.
  const entityExists = (urn: string) => [...states.values()].some((s) => s.latest?.urn === urn && live(s.latest));
  const apply = (mcp: MetadataChangeProposal) => applyOne(mcp, stateOf(mcp.entityUrn, mcp.aspectName), plan, () => entityExists(mcp.entityUrn), ctx);

  for (const mcp of mcps) {
    const keyAspect = ctx.registry.entity(mcp.entityType).keyAspect;
    try {
      if (isEntityDelete(mcp, () => keyAspect)) {
        // Every other aspect first, then the key: its tombstone is what says the entity is gone.
        const others = new Set(stored.entityAspects?.get(mcp.entityUrn) ?? []);
        for (const s of states.values()) if (s.latest?.urn === mcp.entityUrn) others.add(s.latest.aspect);
        others.delete(keyAspect);
        const also = [...others].sort().map((aspect) => {
          const each = { ...mcp, aspectName: aspect };
          return { mcp: each, outcome: apply(each) };
        });
        const outcome = apply(mcp);
        plan.results.push(also.length ? { ...outcome, also } : outcome);
        continue;
      }
      const outcome = apply(mcp);
      // An entity's first value brings its key aspect, derived from the URN, as DataHub writes it.
      const keyState = stateOf(mcp.entityUrn, keyAspect);
      if ((outcome.kind === 'created' || outcome.kind === 'updated') && mcp.aspectName !== keyAspect && !live(keyState.latest)) {
        const keyMcp = keyProposalOf(mcp, keyAspect, ctx);
        plan.results.push({ ...outcome, also: [{ mcp: keyMcp, outcome: apply(keyMcp) }] });
        continue;
      }
      plan.results.push(outcome);
    } catch (err) {
      if (!(err instanceof ProposalRejected)) throw err;
      plan.results.push(err);
    }
  }
  for (const state of states.values()) {
    if (state.changed && state.latest) (state.stored ? plan.replaced : plan.created).push(storedRow(state.latest, 0));
  }
  return plan;
}

/** The key aspect's UPSERT that comes with `mcp`, the first value of its entity: same trace, source and actor. */
function keyProposalOf(mcp: MetadataChangeProposal, keyAspect: string, ctx: RuleContext): MetadataChangeProposal {
  return {
    entityType: mcp.entityType,
    entityUrn: mcp.entityUrn,
    changeType: 'UPSERT',
    aspectName: keyAspect,
    aspect: { value: JSON.stringify(ctx.registry.keyAspectValue(mcp.entityUrn)), contentType: 'application/json' },
    ...(mcp.systemMetadata ? { systemMetadata: mcp.systemMetadata } : {}),
    ...(mcp.created ? { created: mcp.created } : {}),
  };
}

/** One proposal against its aspect's state, which it moves on; throws ProposalRejected leaving it as it was. */
function applyOne(mcp: MetadataChangeProposal, state: AspectState, plan: WritePlan, entityExists: () => boolean, ctx: RuleContext): WriteOutcome {
  const incoming = mcp.systemMetadata;
  const actor = mcp.created?.actor ?? DEFAULT_ACTOR;
  const latest = state.latest;
  const time = ctx.now();
  // A patch's new value is the patch applied to the latest value as this batch left it (the row is locked).
  // A patch that does not apply is reported after the redelivery and precondition checks, like any rejection.
  let value: unknown;
  let patchFailure: ProposalRejected | undefined;
  if (mcp.changeType === 'PATCH') {
    try {
      value = patchedValue(mcp, latest?.value, actor, time, ctx);
    } catch (err) {
      if (!(err instanceof ProposalRejected)) throw err;
      patchFailure = err;
    }
  } else if (mcp.changeType === 'DELETE') {
    value = null;
  } else {
    value = parseValue(mcp);
  }
  const sameTrace = latest !== undefined && traceIdOf(incoming) !== undefined && traceIdOf(latest.systemMetadata) === traceIdOf(incoming);
  if (latest && ((sameTrace && !patchFailure && sameValue(latest.value, value)) || alreadyApplied(incoming, latest.systemMetadata))) {
    // Redelivered after it was applied (the consumer died before committing): it is done already.
    return unchanged('duplicate', latest);
  }
  const actual = latest ? (aspectVersionOf(latest.systemMetadata) ?? state.maxVersion + 1) : -1;
  checkIfVersionMatch(mcp.headers, actual);
  if (mcp.changeType !== 'DELETE') checkCreateConditions(mcp.headers, live(latest), entityExists);
  if (patchFailure) throw patchFailure;

  // Deleting what is deleted, or writing the value that is stored, changes nothing but the markers.
  if (latest && sameValue(latest.value, value)) {
    const sm: SystemMetadata = {
      ...(latest.systemMetadata as unknown as SystemMetadata),
      lastObserved: time,
      runId: incoming?.runId ?? (latest.systemMetadata?.runId as string),
      lastRunId: latest.systemMetadata?.runId as string | undefined,
      properties: { ...propertiesOf(latest.systemMetadata), ...propertiesOf(incoming), [SystemMetadataKeys.isNoOp]: 'true' },
    };
    state.latest = { ...latest, systemMetadata: sm as unknown as Record<string, unknown>, systemMetadataText: JSON.stringify(sm) };
    state.changed = true;
    return { ...unchanged('no-op', latest), systemMetadata: sm };
  }

  let newVersion = 1;
  let purgedRows: number | undefined;
  if (mcp.changeType === 'DELETE' && headerFlag(mcp.headers, PURGE_HEADER)) {
    // Purge: the history goes (stored and planned in this batch alike), the tombstone continues the version count.
    purgedRows = Math.max(state.maxVersion, 0) + (live(latest) ? 1 : 0);
    const sameAspect = (r: { urn: string; aspect: string }) => r.urn === mcp.entityUrn && r.aspect === mcp.aspectName;
    plan.history = plan.history.filter((r) => !sameAspect(r));
    if (!plan.purged.some(sameAspect)) plan.purged.push({ urn: mcp.entityUrn, aspect: mcp.aspectName });
    newVersion = latest ? actual + 1 : 1;
    state.maxVersion = 0;
  } else if (latest) {
    const historyVersion = Math.max(state.maxVersion, 0) + 1;
    plan.history.push(storedRow(latest, historyVersion));
    state.maxVersion = historyVersion;
    newVersion = historyVersion + 1;
  } else {
    state.maxVersion = 0;
  }
  const sm: SystemMetadata = {
    ...(incoming ?? { runId: 'no-run-id-provided' }),
    lastObserved: time,
    version: String(newVersion),
    registryName: ctx.registry.name,
    registryVersion: ctx.registry.version,
    ...(latest?.systemMetadata?.runId ? { lastRunId: latest.systemMetadata.runId as string } : {}),
    properties: withoutWriteMarkers(propertiesOf(incoming)),
  };
  state.latest = {
    urn: mcp.entityUrn,
    aspect: mcp.aspectName,
    version: 0,
    value,
    metadataText: JSON.stringify(value),
    systemMetadata: sm as unknown as Record<string, unknown>,
    systemMetadataText: JSON.stringify(sm),
    createdOn: time,
    createdBy: actor,
    createdFor: null,
  };
  state.changed = true;
  return {
    kind: mcp.changeType === 'DELETE' ? 'deleted' : live(latest) ? 'updated' : 'created',
    value,
    systemMetadata: sm,
    createdOn: time,
    createdBy: actor,
    ...(latest ? { previous: { value: latest.value, systemMetadata: latest.systemMetadata as unknown as SystemMetadata } } : {}),
    ...(purgedRows !== undefined ? { purgedRows } : {}),
  };
}

function headerFlag(headers: Record<string, string> | undefined, name: string): boolean {
  const key = headers && Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key !== undefined && String(headers![key]).toLowerCase() === 'true';
}

/** An outcome that leaves the stored value as it is. */
function unchanged(kind: WriteKind, row: LockedAspectRow): WriteOutcome {
  return { kind, value: row.value, systemMetadata: row.systemMetadata as unknown as SystemMetadata, createdOn: row.createdOn, createdBy: row.createdBy };
}

function storedRow(row: LockedAspectRow, version: number): StoredAspectRow {
  return {
    urn: row.urn,
    aspect: row.aspect,
    version,
    metadataText: row.metadataText,
    systemMetadataText: row.systemMetadataText,
    createdOn: new Date(row.createdOn),
    createdBy: row.createdBy,
    createdFor: row.createdFor,
  };
}

/** The value a PATCH proposal makes of `current` (the aspect's empty value when it is not stored), checked against the schema. */
function patchedValue(mcp: MetadataChangeProposal, current: unknown, actor: string, time: number, ctx: RuleContext): unknown {
  const patch = patchOf(mcp.aspectName, parseValue(mcp));
  const base = current ?? ctx.registry.emptyAspectValue(mcp.entityType, mcp.aspectName, { time, actor });
  let value: unknown;
  try {
    value = applyAspectPatch(mcp.aspectName, patch, base, ctx.maxAspectBytes);
  } catch (err) {
    if (err instanceof PatchConflict) throw new PatchNotApplicable(`patch of ${mcp.aspectName} does not apply: ${err.message}`);
    throw err;
  }
  const valid = ctx.registry.validateAspect(mcp.entityType, mcp.aspectName, value);
  if (!valid.ok) throw new PatchNotApplicable(`patch of ${mcp.aspectName} makes an invalid value: ${valid.error.join('; ')}`);
  return value;
}

function parseValue(mcp: MetadataChangeProposal): unknown {
  try {
    return JSON.parse(mcp.aspect?.value ?? '');
  } catch {
    throw new InvalidProposal(`aspect ${mcp.aspectName} of ${mcp.entityUrn}: value is not valid JSON`);
  }
}
