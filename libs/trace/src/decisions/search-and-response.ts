import { timestampOf } from '@lib/telemetry';
import { FailedMcpEntry, KafkaLookup, SearchSystemDoc, SqlAspectRow, TimeseriesDoc, TraceRef } from './inputs';
import { statusFromKafka } from './primary-rules';
import { FromStores, Messages, NEEDS_KAFKA, storageStatus, StorageStatus, WriteStatus } from './status';

/**
 * Search storage (contract 5.2) and the response (contract 5): searchFromStores -> searchFromKafka
 * for each aspect, then aspectResult per aspect and filterResponse over the whole body.
 */

/** Everything the search-storage rules need about one (urn, aspect). */
export interface SearchContext {
  trace: TraceRef;
  isTimeseries: boolean;
  /** The final primary status of this aspect (after applyFailedLookup). */
  primary: StorageStatus;
  /** Latest SQL row; when primary is ACTIVE_STATE this is our write. */
  latest?: SqlAspectRow;
  /**
   * The system-metadata document of (urn, aspect); undefined when there is none. Timeseries aspects: read only
   * when no event carries our trace id, and written only by DELETEs of the aspect's events.
   */
  systemDoc?: SearchSystemDoc;
  /** Timeseries aspects only. */
  timeseriesDoc?: TimeseriesDoc;
}

/**
 * Contract 5.2 from the stores. NEEDS_KAFKA means: look our message up against the MAE consumer group
 * on MetadataChangeLog_Timeseries_v1 for a timeseries aspect, else on MetadataChangeLog_Versioned_v1.
 */
export function searchFromStores(ctx: SearchContext): FromStores {
  // Timeseries: we trace them (the reference answers TRACE_NOT_IMPLEMENTED, hiding failures).
  if (ctx.isTimeseries) return timeseriesFromStores(ctx);

  switch (ctx.primary.writeStatus) {
    case WriteStatus.PENDING:
      return storageStatus(WriteStatus.PENDING, Messages.PENDING_PRIMARY);
    case WriteStatus.ERROR:
      return storageStatus(WriteStatus.ERROR, Messages.PRIMARY_FAILED);
    case WriteStatus.HISTORIC_STATE:
      return storageStatus(WriteStatus.HISTORIC_STATE);
    case WriteStatus.NO_OP:
      // No proposal carried our trace id, so no change log can either: the same "no write" holds for the index.
      return storageStatus(WriteStatus.NO_OP, ctx.primary.writeMessage === Messages.NO_WRITE ? Messages.NO_WRITE : undefined);
    case WriteStatus.UNKNOWN:
      return storageStatus(WriteStatus.UNKNOWN, Messages.PRIMARY_INDETERMINATE);
    case WriteStatus.TRACE_NOT_IMPLEMENTED:
      return storageStatus(WriteStatus.TRACE_NOT_IMPLEMENTED);
    case WriteStatus.ACTIVE_STATE:
      return activeFromStores(ctx);
  }
}

/**
 * A timeseries aspect (primary is NO_OP): an event carrying our trace id is indexed -> ACTIVE_STATE (our upsert).
 * Else the system-metadata document, which only DELETEs of the aspect's events write: `removed` with our trace
 * id -> ACTIVE_STATE (our delete is done); with another trace id and written at or after our write ->
 * HISTORIC_STATE (a later delete; it may have removed our events). Else Kafka: the timeseries MCL topic
 * against the MAE group. A later upsert leaves the document alone, so a delete stays ACTIVE_STATE after it:
 * the events it deleted stay deleted.
 */
function timeseriesFromStores(ctx: SearchContext): FromStores {
  if (ctx.timeseriesDoc?.found) return { writeStatus: WriteStatus.ACTIVE_STATE };
  const doc = ctx.systemDoc;
  if (doc?.telemetryTraceId === ctx.trace.traceId && doc.removed === true) return { writeStatus: WriteStatus.ACTIVE_STATE };
  const ourTime = ctx.trace.timestamp;
  if (doc?.removed === true && doc.lastUpdated !== undefined && ourTime !== undefined && doc.lastUpdated >= ourTime) {
    return { writeStatus: WriteStatus.HISTORIC_STATE };
  }
  return NEEDS_KAFKA;
}

/** Primary is ACTIVE_STATE: did the MAE consumer index our write? */
function activeFromStores(ctx: SearchContext): FromStores {
  const doc = ctx.systemDoc;
  if (doc?.telemetryTraceId === ctx.trace.traceId) {
    // Indexed, unless OpenSearch refused our write's entity document: then it is not searchable -> ERROR, why.
    if (doc.refusal === undefined) return { writeStatus: WriteStatus.ACTIVE_STATE };
    return { writeStatus: WriteStatus.ERROR, writeExceptions: [{ ...doc.refusal, stackTrace: [] }] };
  }

  // The document reflects our write or a later one but lacks our trace id -> HISTORIC_STATE.
  // A foreign trace id has no time; then our write's own lastObserved (the SQL row is ours, since
  // primary is ACTIVE_STATE) is what the MAE consumer would have indexed as lastUpdated.
  // The document's write is dated by its own trace id when that carries a time: its lastUpdated is when the
  // consumer applied it, which for a write made just before ours can come after our request started.
  const ourTime = ctx.trace.timestamp ?? ctx.latest?.systemMetadata.lastObserved;
  const docTime = (doc?.telemetryTraceId !== undefined ? timestampOf(doc.telemetryTraceId) : undefined) ?? doc?.lastUpdated;
  if (docTime !== undefined && ourTime !== undefined && docTime >= ourTime) {
    return { writeStatus: WriteStatus.HISTORIC_STATE };
  }

  // No document, or an older one: is the indexing still queued (PENDING) or was it lost (ERROR)?
  // We check the MCL topic against the MAE group; the reference checks the MCP topic and reports a
  // false ERROR while indexing lags.
  return NEEDS_KAFKA;
}

/**
 * Contract 5.2 from Kafka, for aspects searchFromStores left open. Same offset rule as primary:
 * not yet consumed -> PENDING, consumed but not in the index -> ERROR. Not on the topic -> NO_OP
 * (this write did not touch the aspect); no group or a failed read -> UNKNOWN with the reason.
 */
export function searchFromKafka(mcl: KafkaLookup, ctx?: Pick<SearchContext, 'isTimeseries' | 'primary'>): StorageStatus {
  // SQL has our write (primary ACTIVE) but its change log is not on the topic yet: the MCE consumer
  // produces it right after the SQL commit (and again on redelivery), so indexing is still to come.
  if (mcl.kind === 'not-found' && ctx && !ctx.isTimeseries && ctx.primary.writeStatus === WriteStatus.ACTIVE_STATE) {
    return storageStatus(WriteStatus.PENDING, Messages.NOT_PROCESSED);
  }
  return statusFromKafka(mcl);
}

/**
 * Contract 5.2 (dead letters): which aspects to look up on the failed topics after searchFromKafka - those whose
 * write may have ended there: the change log was consumed but is not in the index (ERROR), or SQL has our write
 * and its change log is not on the topic (PENDING; the MCE consumer could not send it). Looked up whatever
 * `detailed` says: without it the second would stay PENDING for ever.
 */
export function needsDeadLetterLookup(search: StorageStatus, mcl: KafkaLookup | undefined, primary: StorageStatus): boolean {
  if (search.writeStatus === WriteStatus.ERROR) return search.writeMessage === Messages.PROCESSED_PAST;
  return search.writeStatus === WriteStatus.PENDING && mcl?.kind === 'not-found' && primary.writeStatus === WriteStatus.ACTIVE_STATE;
}

/** A dead letter of our write makes search ERROR with its exceptions (the reason it was not indexed); else unchanged. */
export function applyDeadLetter(search: StorageStatus, letter: FailedMcpEntry | undefined): StorageStatus {
  return letter === undefined ? search : { writeStatus: WriteStatus.ERROR, writeExceptions: letter.exceptions };
}

// --- The response ----------------------------------------------------------------------------

/** One aspect in the trace response. */
export interface AspectTraceResult {
  /** False iff either storage is ERROR. */
  success: boolean;
  primaryStorage: StorageStatus;
  searchStorage: StorageStatus;
}

/** The trace response body: urn -> aspect name -> result. */
export type TraceResponse = Record<string, Record<string, AspectTraceResult>>;

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
  if (status.queue != null) out.queue = status.queue;
  return out;
}

/**
 * `onlyIncludeErrors` (default true on the endpoint): keep only aspects where either storage is ERROR
 * and drop URNs left empty, so a clean trace answers `{}`. Returns a new object.
 */
export function filterResponse(response: TraceResponse, onlyIncludeErrors: boolean): TraceResponse {
  if (!onlyIncludeErrors) return response;
  const urns = Object.entries(response)
    .map(([urn, aspects]) => [urn, Object.fromEntries(Object.entries(aspects).filter(([, r]) => hasError(r)))] as const)
    .filter(([, aspects]) => Object.keys(aspects).length > 0);
  return Object.fromEntries(urns);
}

function hasError(result: AspectTraceResult): boolean {
  return result.primaryStorage.writeStatus === WriteStatus.ERROR || result.searchStorage.writeStatus === WriteStatus.ERROR;
}
