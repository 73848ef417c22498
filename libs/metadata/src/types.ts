/**
 * Wire shapes shared by the HTTP service, both consumers and the trace endpoint. They mirror DataHub's
 * JSON forms (MCP, MCL, FailedMCP, SystemMetadata) so existing clients and tools read our messages unchanged.
 */

/** DataHub's run id when the client gave none; the system-metadata index stores it verbatim. */
export const DEFAULT_RUN_ID = 'no-run-id-provided';

/** Keys of `systemMetadata.properties` that carry telemetry (see trace-semantics.md section 2). */
export const SystemMetadataKeys = {
  /** The request's trace id; set once and never overwritten downstream. */
  telemetryTraceId: 'telemetryTraceId',
  /** Span id of the PRODUCER span at enqueue; the consumer's span is parented on it. */
  telemetryQueueSpanId: 'telemetryQueueSpanId',
  /** Epoch ms, rewritten at every produce. */
  telemetryEnqueuedAt: 'telemetryEnqueuedAt',
  /** "true"/"false": trace logging was requested for this write. */
  telemetryLog: 'telemetryLog',
  /** "true" when the consumer found the value unchanged and made no new version. */
  isNoOp: 'isNoOp',
} as const;

export type SystemMetadataKey = (typeof SystemMetadataKeys)[keyof typeof SystemMetadataKeys];

export interface SystemMetadata {
  /** Epoch ms of the latest write (a no-op write moves only this). */
  lastObserved: number;
  runId: string;
  lastRunId?: string;
  registryName?: string;
  registryVersion?: string;
  /** The aspect's version number after the write, as a string (DataHub's form). */
  version?: string;
  /** String to string only: DataHub's schema is map[string, string]. */
  properties?: Record<string, string>;
}

/** DataHub's change types; this service writes UPSERT, PATCH and DELETE. */
export const CHANGE_TYPES = ['UPSERT', 'CREATE', 'CREATE_ENTITY', 'UPDATE', 'DELETE', 'PATCH', 'RESTATE'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export interface AuditStamp {
  time: number;
  actor: string;
  impersonator?: string;
}

/** An aspect value travelling as JSON text, as DataHub's GenericAspect does: a value, or (changeType PATCH) a JSON Patch. */
export interface GenericAspect {
  value: string;
  contentType: 'application/json' | 'application/json-patch+json';
}

export interface MetadataChangeProposal {
  entityType: string;
  entityUrn: string;
  changeType: ChangeType;
  aspectName: string;
  /** The value (UPSERT) or the JSON Patch (PATCH); a DELETE has none. */
  aspect?: GenericAspect;
  systemMetadata?: SystemMetadata;
  /** Conditional-write headers such as `If-Version-Match`, carried to the consumer that checks them. */
  headers?: Record<string, string>;
  /** Who asked for the write and when (our extension: the consumer records it as `createdby`). */
  created?: AuditStamp;
}

export interface MetadataChangeLog extends MetadataChangeProposal {
  previousAspectValue?: GenericAspect;
  previousSystemMetadata?: SystemMetadata;
}

/** One exception in a FailedMetadataChangeProposal's `error` array (the trace endpoint's writeExceptions). */
export interface ExceptionJson {
  message: string;
  exceptionClass: string;
  stackTrace: string[];
  cause?: ExceptionJson;
}

export interface FailedMetadataChangeProposal {
  /** JSON text of an ExceptionJson[] (DataHub keeps it as a string field). */
  error: string;
  metadataChangeProposal: MetadataChangeProposal;
}

/** A change log the MAE consumer could not index (its dead-letter topic, TOPIC_FAILED_MCL), keyed by URN. */
export interface FailedMetadataChangeLog {
  /** JSON text of an ExceptionJson[], as in FailedMetadataChangeProposal. */
  error: string;
  /** The change log as it was read (or `{raw}`, the text of a value that was not JSON; or the fields the refused item carried). */
  metadataChangeLog: unknown;
}
