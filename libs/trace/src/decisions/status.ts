import { redact } from '@lib/common';
/**
 * The vocabulary of a trace answer: the write states, the per-storage status shape, and the message
 * strings. Everything here is wire contract (docs/trace-semantics.md section 5): do not rename or reword.
 */

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
  /** PENDING on a located Kafka message: where it is queued and how fast its consumer moves (see ./queue.ts). */
  queue?: QueuePosition;
}

/**
 * Where a PENDING write's message waits, and what its consumer group is doing (an extension of ours: clients that
 * do not know it ignore it). Offsets are 64-bit integers as strings.
 */
export interface QueuePosition {
  consumerGroup: string;
  topic: string;
  partition: number;
  /** The message's own offset. */
  offset: string;
  /** The group's committed offset there (the next it will read); absent when it has committed nothing there yet. */
  committedOffset?: string;
  /** Messages before ours the group has still to process (offset - committedOffset). */
  messagesAhead?: number;
  /** The group's state on that partition (OK, BEHIND, STALLED, STOPPED), from the consumer-group monitor. */
  consumerState?: string;
  /** Messages per second the group committed there over the monitor window. */
  consumptionRate?: number;
  /** (messagesAhead + 1) / consumptionRate: absent when the group is not moving. */
  estimatedWaitMs?: number;
}

export function storageStatus(writeStatus: WriteStatus, writeMessage?: string): StorageStatus {
  return writeMessage === undefined ? { writeStatus } : { writeStatus, writeMessage };
}

/**
 * First-pass answer when SQL and OpenSearch cannot settle an aspect. The service then reads Kafka for
 * exactly these aspects (none when everything resolves, so a clean trace never touches Kafka).
 */
export const NEEDS_KAFKA = 'needs-kafka';

/** What a rule answers from the stores alone: a status, or "ask Kafka". */
export type FromStores = StorageStatus | typeof NEEDS_KAFKA;

/** Message strings are part of the wire contract (existing clients match on them): do not reword. */
export const Messages = {
  PENDING_PRIMARY: 'Pending primary storage write.',
  PRIMARY_FAILED: 'Primary storage write failed.',
  PRIMARY_INDETERMINATE: 'Primary storage write indeterminate.',
  NOT_PROCESSED: 'Consumer has not processed offset.',
  PROCESSED_PAST: 'Consumer has processed past the offset.',
  MISSING_OFFSETS: 'Missing consumer offsets.',
  /** NO_OP because nothing carrying the trace id exists for the aspect: not in SQL, not in OpenSearch, not on its topic. */
  NO_WRITE: 'No write of this aspect under this trace id.',
} as const;

/** Ours (the reference answers 500 instead): why Kafka could not decide, e.g. a timeout. */
export function kafkaLookupFailed(reason: string): string {
  return `Kafka lookup failed: ${redact(reason)}`;
}
