import { aspectKey, MetadataChangeProposal, SystemMetadata, SystemMetadataKeys, ValidationResult } from '@lib/metadata';
import { AspectKey, LockedAspectRow, StoredAspectRow } from '@lib/sql';
import { sameValue } from './canonical-json';
import { checkIfVersionMatch } from './if-version-match';
import { checkCreateConditions } from './create-conditions';
import { alreadyApplied } from './proposal-source';
import { InvalidProposal, PatchNotApplicable, ProposalRejected } from './proposal-errors';
import { patchOf } from './proposal-parser';
import { applyAspectPatch, PatchConflict } from './patch';
import { aspectVersionOf, propertiesOf, traceIdOf, withoutWriteMarkers } from './system-metadata';

export const DEFAULT_ACTOR = 'urn:li:corpuser:__anonymous';

/**
 * created: first version; updated: a new version, the old one kept as history; no-op: same value,
 * only lastObserved and the write markers moved; duplicate: this very proposal was applied before
 * (a redelivery), nothing changed.
 */
export type WriteKind = 'created' | 'updated' | 'no-op' | 'duplicate';

export interface WriteOutcome {
  kind: WriteKind;
  value: unknown;
  systemMetadata: SystemMetadata;
  createdOn: number;
  createdBy: string;
  previous?: { value: unknown; systemMetadata: SystemMetadata | null };
}

/** What the transaction read before applying the rules: the locked latest rows and what else the rules need. */
export interface StoredState {
  latest: LockedAspectRow[];
  /** Highest stored version per aspectKey(urn, aspect); pairs without rows are absent. */
  maxVersions: Map<string, number>;
  /** Entities that had rows, among those whose proposals ask createIfEntityNotExists. */
  existingEntities: Set<string>;
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
}

export interface RuleContext {
  /** The entity registry: its name and version for systemMetadata, and what a PATCH needs (empty value, validation). */
  registry: {
    name: string;
    version: string;
    emptyAspectValue(entityType: string, aspectName: string, stamp: { time: number; actor: string }): unknown;
    validateAspect(entityType: string, aspectName: string, value: unknown): ValidationResult;
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

/** The distinct (urn, aspect) pairs of some proposals. */
export function aspectKeys(mcps: MetadataChangeProposal[]): AspectKey[] {
  const seen = new Map<string, AspectKey>();
  for (const m of mcps) seen.set(aspectKey(m.entityUrn, m.aspectName), { urn: m.entityUrn, aspect: m.aspectName });
  return [...seen.values()];
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
  const entitiesWithRows = new Set(stored.existingEntities);
  for (const row of stored.latest) entitiesWithRows.add(row.urn);

  const plan: WritePlan = { results: [], history: [], created: [], replaced: [] };
  for (const mcp of mcps) {
    const key = aspectKey(mcp.entityUrn, mcp.aspectName);
    const state = states.get(key) ?? { maxVersion: stored.maxVersions.get(key) ?? -1, stored: false, changed: false };
    try {
      plan.results.push(applyOne(mcp, state, plan.history, () => entitiesWithRows.has(mcp.entityUrn), ctx));
      states.set(key, state);
      if (state.latest) entitiesWithRows.add(mcp.entityUrn);
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

/** One proposal against its aspect's state, which it moves on; throws ProposalRejected leaving it as it was. */
function applyOne(mcp: MetadataChangeProposal, state: AspectState, history: StoredAspectRow[], entityExists: () => boolean, ctx: RuleContext): WriteOutcome {
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
  checkCreateConditions(mcp.headers, latest !== undefined, entityExists);
  if (patchFailure) throw patchFailure;

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
  if (latest) {
    const historyVersion = Math.max(state.maxVersion, 0) + 1;
    history.push(storedRow(latest, historyVersion));
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
    kind: latest ? 'updated' : 'created',
    value,
    systemMetadata: sm,
    createdOn: time,
    createdBy: actor,
    ...(latest ? { previous: { value: latest.value, systemMetadata: latest.systemMetadata as unknown as SystemMetadata } } : {}),
  };
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
  if (!valid.ok) throw new PatchNotApplicable(`patch of ${mcp.aspectName} makes an invalid value: ${valid.errors.join('; ')}`);
  return value;
}

function parseValue(mcp: MetadataChangeProposal): unknown {
  try {
    return JSON.parse(mcp.aspect.value);
  } catch {
    throw new InvalidProposal(`aspect ${mcp.aspectName} of ${mcp.entityUrn}: value is not valid JSON`);
  }
}
