import { StorageStatus, WriteException, WriteStatus } from './write-status';

/** Our (urn, aspect, trace id) found on FailedMetadataChangeProposal_v1 (see parseWriteExceptions). */
export interface FailedMcpEntry {
  exceptions: WriteException[];
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
 * (the message is dropped: the exceptions say more). Run it before searchStatus, whose answer follows
 * the final primary status.
 */
export function applyFailedLookup(primary: StorageStatus, failed: FailedMcpEntry | undefined): StorageStatus {
  if (failed === undefined || !MAY_HAVE_FAILED.has(primary.writeStatus)) return primary;
  return { writeStatus: WriteStatus.ERROR, writeExceptions: failed.exceptions };
}
