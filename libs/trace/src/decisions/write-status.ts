/** The per-storage states of an aspect write (the API Tracing "Write States"). Wire values. */
export const WriteStatus = {
  /** An error occurred processing the write. */
  ERROR: 'ERROR',
  /** Queued; the consumer has not processed the message yet. */
  PENDING: 'PENDING',
  /** Written, and still the current value. */
  ACTIVE_STATE: 'ACTIVE_STATE',
  /** Written, then overwritten by a newer value. */
  HISTORIC_STATE: 'HISTORIC_STATE',
  /** Not applicable to this storage (e.g. timeseries in SQL, or an unchanged value). */
  NO_OP: 'NO_OP',
  /** Cannot tell, and no record of a failure exists either. */
  UNKNOWN: 'UNKNOWN',
  /** Kept for wire compatibility; we trace every aspect type and never produce it. */
  TRACE_NOT_IMPLEMENTED: 'TRACE_NOT_IMPLEMENTED',
} as const;

export type WriteStatus = (typeof WriteStatus)[keyof typeof WriteStatus];

/** One exception of a failed MetadataChangeProposal, as the MCE consumer writes it to the failed topic. */
export interface WriteException {
  message: string;
  exceptionClass: string;
  stackTrace: string[];
  cause?: WriteException;
}

/** The status of one aspect in one storage (`primaryStorage` / `searchStorage` in the response). */
export interface StorageStatus {
  writeStatus: WriteStatus;
  writeMessage?: string;
  writeExceptions?: WriteException[];
}

export function storageStatus(writeStatus: WriteStatus, writeMessage?: string): StorageStatus {
  return writeMessage === undefined ? { writeStatus } : { writeStatus, writeMessage };
}
