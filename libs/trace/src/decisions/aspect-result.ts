import { StorageStatus, WriteStatus } from './write-status';

/** One aspect in the trace response. */
export interface AspectTraceResult {
  /** False iff either storage is ERROR. */
  success: boolean;
  primaryStorage: StorageStatus;
  searchStorage: StorageStatus;
}

export function aspectResult(primary: StorageStatus, search: StorageStatus): AspectTraceResult {
  return {
    success: primary.writeStatus !== WriteStatus.ERROR && search.writeStatus !== WriteStatus.ERROR,
    primaryStorage: withoutEmptyFields(primary),
    searchStorage: withoutEmptyFields(search),
  };
}

/** The wire format omits null fields rather than sending `"writeMessage": null`. */
function withoutEmptyFields(status: StorageStatus): StorageStatus {
  const out: StorageStatus = { writeStatus: status.writeStatus };
  if (status.writeMessage != null) out.writeMessage = status.writeMessage;
  if (status.writeExceptions != null) out.writeExceptions = status.writeExceptions;
  return out;
}
