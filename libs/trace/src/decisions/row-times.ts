import { timestampOf } from '@lib/telemetry';
import { rowTraceId, SqlAspectRow } from './store-rows';
import { StorageStatus, WriteStatus } from './write-status';

/**
 * 5.1 steps 3-4: place our write (at `ourTime`, epoch ms) against a latest row that is not ours.
 * - The row is newer (its trace id's time, else its createdon, >= ours): we were overwritten -> HISTORIC_STATE.
 * - The row was created before us and observed again after us (createdon < ours < lastObserved):
 *   our write re-wrote the same value -> NO_OP.
 * - Otherwise undefined: the row predates our write, so ask Kafka where our write is.
 */
export function placeAgainstRow(row: SqlAspectRow, ourTime: number): StorageStatus | undefined {
  const rowTime = timestampOfRow(row);
  if (rowTime >= ourTime) return { writeStatus: WriteStatus.HISTORIC_STATE };

  const lastObserved = row.systemMetadata.lastObserved;
  if (lastObserved !== undefined && row.createdOn < ourTime && ourTime < lastObserved) {
    return { writeStatus: WriteStatus.NO_OP };
  }
  return undefined;
}

/** When the row's write started: its trace id says so to the microsecond; createdon is the fallback. */
function timestampOfRow(row: SqlAspectRow): number {
  const traceId = rowTraceId(row);
  return (traceId !== undefined ? timestampOf(traceId) : undefined) ?? row.createdOn;
}
