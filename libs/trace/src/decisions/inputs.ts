import { relativeFrame } from '@lib/common';
import { timestampOf } from '@lib/telemetry';
import { WriteException } from './status';

/**
 * What the rules consume: the trace asked about, the store rows and documents (one SQL query and one
 * OpenSearch request for the whole trace body), and the Kafka look-ups. All times are epoch milliseconds.
 */

// --- The trace ------------------------------------------------------------------------------

/** The trace being asked about; computed once per request. */
export interface TraceRef {
  /** 32 lowercase hex (from parseTraceIdParam). */
  traceId: string;
  /**
   * Request start time (epoch ms) decoded from the id, or undefined for ids minted by another tracer
   * (a continued gateway traceparent). Without it, "newer/older than our write" needs another clock:
   * see the fallbacks in primaryFromKafka and searchFromStores.
   */
  timestamp: number | undefined;
}

export function traceRef(traceId: string, now: number = Date.now()): TraceRef {
  return { traceId, timestamp: timestampOf(traceId, now) };
}

// --- The stores ------------------------------------------------------------------------------

/** The latest SQL row of an aspect: `metadata_aspect_v2` at version 0. */
export interface SqlAspectRow {
  urn: string;
  aspect: string;
  /** `createdon` (datetime(6)) as epoch ms, truncated: when this version was written. */
  createdOn: number;
  /** Parsed `systemmetadata` JSON; only the fields the rules read. */
  systemMetadata: {
    /** Last write of this value, including no-op rewrites of an unchanged value. */
    lastObserved?: number;
    /** Includes `telemetryTraceId` and `isNoOp` ("true" when the last write changed nothing). */
    properties?: Record<string, string>;
  };
}

/** The `system_metadata_service_v1` document of (urn, aspect), read with get/mget (real-time). */
export interface SearchSystemDoc {
  urn: string;
  aspect: string;
  /** The indexed write's lastObserved. */
  lastUpdated?: number;
  /** Trace id of the write the MAE consumer last indexed. */
  telemetryTraceId?: string;
  /**
   * The indexed write was a DELETE. For a timeseries aspect the document is written only by DELETEs (of its
   * events in a time range): `removed` with our trace id means our delete is done.
   */
  removed?: boolean;
  /** OpenSearch refused the indexed write's entity document (400): the write is not searchable, and why. */
  refusal?: { message: string; exceptionClass: string };
}

/** The timeseries index, for a timeseries aspect. */
export interface TimeseriesDoc {
  /** True when a document of (urn, aspect) carrying our trace id is indexed. */
  found: boolean;
}

export function rowTraceId(row: SqlAspectRow): string | undefined {
  return row.systemMetadata.properties?.telemetryTraceId;
}

export function rowIsNoOp(row: SqlAspectRow): boolean {
  return row.systemMetadata.properties?.isNoOp === 'true';
}

/** When the row's write started: its trace id says so to the microsecond; createdon is the fallback. */
export function rowTime(row: SqlAspectRow): number {
  const traceId = rowTraceId(row);
  return (traceId !== undefined ? timestampOf(traceId) : undefined) ?? row.createdOn;
}

// --- Kafka -----------------------------------------------------------------------------------

/** An offset as kafkajs gives it (string), or already converted. Compared as BigInt, never as text. */
export type Offset = bigint | string | number;

/** A partition of a topic as read by a consumer group. */
export interface OffsetPosition {
  groupId: string;
  topic: string;
  partition: number;
}

/** A message a consumer group has not processed yet: passed once the group's committed offset there is > `offset`. */
export interface WaitPoint extends OffsetPosition {
  offset: string;
}

/**
 * The result of looking for our message on the URN's partition of a topic, and of the consumer group's
 * committed offset on that partition. Used three ways: MCP topic / MCE group (primary), versioned MCL
 * topic / MAE group (search), timeseries MCL topic / MAE group (timeseries search).
 */
export type KafkaLookup =
  /** A message for (urn, aspect) carrying our trace id is on the partition. */
  | {
      kind: 'found';
      /** The message's offset. */
      offset: Offset;
      /**
       * The group's committed offset on that partition: the *next* offset it will read.
       * null (or kafkajs' '-1') = the group exists but has not committed on this partition yet; it will
       * start from the earliest offset, so the message will still be read.
       */
      committed: Offset | null;
      /**
       * The record's timestamp (epoch ms). Only used when the trace id carries no time (a foreign id),
       * to tell "overwritten later" from "lost" on the primary side.
       */
      timestamp?: number;
      /** Where the message is and which group reads it: what a waiting trace watches (see OffsetWatcher). */
      at?: OffsetPosition;
    }
  /**
   * The partition range where the message could be was read completely and it is not there: this
   * write did not touch (urn, aspect). If the read stopped at its bound before covering that range,
   * answer `failed` with the reason instead.
   */
  | { kind: 'not-found' }
  /** The consumer group has no committed offsets at all (it does not exist). May be answered without reading messages. */
  | { kind: 'no-group' }
  /** Kafka could not be read, or the deadline passed; `reason` is shown to the caller. */
  | { kind: 'failed'; reason: string };

/** Our (urn, aspect, trace id) found on FailedMetadataChangeProposal_v1 (see parseWriteExceptions). */
export interface FailedMcpEntry {
  exceptions: WriteException[];
}

/**
 * The `error` field of a FailedMetadataChangeProposal_v1 message: a JSON array of
 * {message, exceptionClass, stackTrace[], cause?}. Anything else is kept as a single exception
 * carrying the raw text, so a detailed trace never loses the failure or throws on it.
 */
export function parseWriteExceptions(error: string): WriteException[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(error);
  } catch {
    return [rawException(error)];
  }
  if (!Array.isArray(parsed)) return [rawException(error)];
  return parsed.map((item) => toException(item) ?? rawException(JSON.stringify(item)));
}

function toException(value: unknown): WriteException | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.message !== 'string') return undefined;
  const exception: WriteException = {
    message: v.message,
    exceptionClass: typeof v.exceptionClass === 'string' ? v.exceptionClass : '',
    stackTrace: Array.isArray(v.stackTrace) ? v.stackTrace.map(String) : [],
  };
  const cause = toException(v.cause);
  if (cause !== undefined) exception.cause = cause;
  return exception;
}

function rawException(text: string): WriteException {
  return { message: text, exceptionClass: '', stackTrace: [] };
}

/**
 * What a trace shows of a failed write's stack (TRACE_STACK_TRACES): `none`, no frames (message and class only);
 * `full`, the frames relative to the project (also those an older consumer recorded with absolute paths).
 */
export function withStackTraces(exceptions: WriteException[], policy: 'full' | 'none'): WriteException[] {
  return exceptions.map((e) => ({
    ...e,
    stackTrace: policy === 'none' ? [] : e.stackTrace.map(relativeFrame),
    ...(e.cause ? { cause: withStackTraces([e.cause], policy)[0] } : {}),
  }));
}
