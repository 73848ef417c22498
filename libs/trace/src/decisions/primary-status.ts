import { KafkaLookup } from './kafka-lookup';
import { FromStores, NEEDS_KAFKA } from './needs-kafka';
import { placeAgainstRow } from './row-times';
import { statusFromKafka } from './kafka-status';
import { rowIsNoOp, rowTraceId, SqlAspectRow } from './store-rows';
import { TraceRef } from './trace-ref';
import { StorageStatus, WriteStatus } from './write-status';

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

/** Both passes for one aspect. Without a look-up where one is needed: UNKNOWN, never a throw. */
export function primaryStatus(ctx: PrimaryContext, mcp?: KafkaLookup): StorageStatus {
  const fromStores = primaryFromStores(ctx);
  if (fromStores !== NEEDS_KAFKA) return fromStores;
  return primaryFromKafka(ctx, mcp ?? { kind: 'failed', reason: 'Kafka was not consulted.' });
}
