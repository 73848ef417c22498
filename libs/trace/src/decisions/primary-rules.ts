import { FailedMcpEntry, KafkaLookup, Offset, rowIsNoOp, rowTime, rowTraceId, SqlAspectRow, TraceRef } from './inputs';
import { FromStores, kafkaLookupFailed, Messages, NEEDS_KAFKA, storageStatus, StorageStatus, WriteStatus } from './status';

/**
 * Primary storage (contract 5.1), in the order the service applies the rules:
 *   primaryFromStores (steps 1-4) -> primaryFromKafka (steps 5, 7) -> applyFailedLookup (step 6, detailed).
 * statusFromKafka, the offset rule, is shared with the search rules.
 */

/** Everything the primary-storage rules need about one (urn, aspect). */
export interface PrimaryContext {
  trace: TraceRef;
  /** Timeseries aspects skip SQL entirely. */
  isTimeseries: boolean;
  /** Latest SQL row (version 0); undefined when the aspect has no row. */
  latest?: SqlAspectRow;
}

/** Contract 5.1 steps 1-4; step 5 is left to primaryFromKafka. */
export function primaryFromStores(ctx: PrimaryContext): FromStores {
  // 1. Timeseries aspects never reach SQL.
  if (ctx.isTimeseries) return { writeStatus: WriteStatus.NO_OP };

  const row = ctx.latest;
  // 2. The latest row is our write (or our write found the value unchanged).
  if (row !== undefined && rowTraceId(row) === ctx.trace.traceId) {
    return { writeStatus: rowIsNoOp(row) ? WriteStatus.NO_OP : WriteStatus.ACTIVE_STATE };
  }

  // 3-4. Newer row -> HISTORIC_STATE; row observed again after us -> NO_OP.
  // A foreign trace id carries no time, so "newer/older" cannot be said here: primaryFromKafka
  // retries these two rules with the MCP record's timestamp.
  if (row !== undefined && ctx.trace.timestamp !== undefined) {
    const placed = placeAgainstRow(row, ctx.trace.timestamp);
    if (placed !== undefined) return placed;
  }

  // 5. No row, or a row older than our write: only Kafka knows where the write is.
  return NEEDS_KAFKA;
}

/**
 * Contract 5.1 steps 5 and 7, from the look-up of our message on the URN's partition of
 * MetadataChangeProposal_v1 against the MCE consumer group.
 */
export function primaryFromKafka(ctx: PrimaryContext, mcp: KafkaLookup): StorageStatus {
  // Steps 3-4 again for a foreign trace id, with the time Kafka stamped on our message.
  if (mcp.kind === 'found' && ctx.trace.timestamp === undefined && ctx.latest && mcp.timestamp !== undefined) {
    const placed = placeAgainstRow(ctx.latest, mcp.timestamp);
    if (placed !== undefined) return placed;
  }
  return statusFromKafka(mcp);
}

/**
 * 5.1 steps 3-4: place our write (at `ourTime`, epoch ms) against a latest row that is not ours.
 * - The row is newer (its trace id's time, else its createdon, >= ours): we were overwritten -> HISTORIC_STATE.
 * - The row was created before us and observed again after us (createdon < ours < lastObserved):
 *   our write re-wrote the same value -> NO_OP.
 * - Otherwise undefined: the row predates our write, so ask Kafka where our write is.
 */
export function placeAgainstRow(row: SqlAspectRow, ourTime: number): StorageStatus | undefined {
  if (rowTime(row) >= ourTime) return { writeStatus: WriteStatus.HISTORIC_STATE };

  const lastObserved = row.systemMetadata.lastObserved;
  if (lastObserved !== undefined && row.createdOn < ourTime && ourTime < lastObserved) {
    return { writeStatus: WriteStatus.NO_OP };
  }
  return undefined;
}

/**
 * The offset rule shared by every Kafka step (5.1 step 5, 5.2 ACTIVE and timeseries):
 * found at or after the committed offset, or before the group ever committed there -> PENDING;
 * found before the committed offset -> the consumer read it and yet the store lacks it -> ERROR.
 *
 * Deliberate differences from the reference: a message exactly AT the committed offset is PENDING
 * (committed = next offset to read); a partition the group has not committed yet is PENDING, not UNKNOWN.
 * A message that is not there means this write did not touch the aspect: NO_OP, as in the reference,
 * so tracing with an empty aspect list (= every aspect) does not report untouched aspects as errors; unlike
 * the reference it says so (Messages.NO_WRITE), so a mistyped trace id is not read as a landed write.
 */
export function statusFromKafka(lookup: KafkaLookup): StorageStatus {
  switch (lookup.kind) {
    case 'failed':
      return storageStatus(WriteStatus.UNKNOWN, kafkaLookupFailed(lookup.reason));
    case 'no-group':
      return storageStatus(WriteStatus.UNKNOWN, Messages.MISSING_OFFSETS);
    case 'not-found':
      return storageStatus(WriteStatus.NO_OP, Messages.NO_WRITE);
    case 'found':
      return statusFromOffsets(lookup.offset, lookup.committed);
  }
}

function statusFromOffsets(offset: Offset, committed: Offset | null): StorageStatus {
  const message = toBigInt(offset);
  const next = committed === null ? -1n : toBigInt(committed);
  if (message === undefined || next === undefined) {
    return storageStatus(WriteStatus.UNKNOWN, kafkaLookupFailed(`invalid offset (${String(offset)}, ${String(committed)})`));
  }
  // kafkajs reports '-1' for a partition without a committed offset: same as null.
  if (next < 0n || message >= next) return storageStatus(WriteStatus.PENDING, Messages.NOT_PROCESSED);
  return storageStatus(WriteStatus.ERROR, Messages.PROCESSED_PAST);
}

/** Offsets are 64-bit: compare as BigInt ('10' > '9'), and never throw on junk. */
export function toBigInt(offset: Offset): bigint | undefined {
  try {
    if (typeof offset === 'number' && !Number.isInteger(offset)) return undefined;
    if (typeof offset === 'string' && !/^-?\d+$/.test(offset.trim())) return undefined;
    return BigInt(typeof offset === 'string' ? offset.trim() : offset);
  } catch {
    return undefined;
  }
}

/** Primary states that may hide a failure the MCE consumer recorded. */
const MAY_HAVE_FAILED: ReadonlySet<string> = new Set([WriteStatus.ERROR, WriteStatus.NO_OP, WriteStatus.UNKNOWN]);

/**
 * Contract 5.1 step 6 (detailed=true): which aspects to look up in the failed topic.
 * Timeseries writes never pass through the MCE consumer, so they cannot be there.
 */
export function needsFailedLookup(primary: StorageStatus, isTimeseries: boolean): boolean {
  return !isTimeseries && MAY_HAVE_FAILED.has(primary.writeStatus);
}

/**
 * Contract 5.1 step 6: a recorded failure replaces ERROR/NO_OP/UNKNOWN with ERROR and its exceptions
 * (the message is dropped: the exceptions say more). Run it before the search rules, whose answer
 * follows the final primary status.
 */
export function applyFailedLookup(primary: StorageStatus, failed: FailedMcpEntry | undefined): StorageStatus {
  if (failed === undefined || !MAY_HAVE_FAILED.has(primary.writeStatus)) return primary;
  return { writeStatus: WriteStatus.ERROR, writeExceptions: failed.exceptions };
}
