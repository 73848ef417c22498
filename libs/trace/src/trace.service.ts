import { Inject, Injectable, Optional } from '@nestjs/common';
import { Span, SpanStatusCode } from '@opentelemetry/api';
import { err, errorMessage, ok, redact, Result, withTimeout } from '@lib/common';
import { tracer } from '@lib/telemetry';
import { Dependency, Metrics } from '@lib/metrics';
import { KafkaLookup, SearchSystemDoc, SqlAspectRow, TraceRef, WaitPoint } from './decisions/inputs';
import { applyFailedLookup, needsFailedLookup, primaryFromKafka, primaryFromStores } from './decisions/primary-rules';
import {
  applyDeadLetter,
  aspectResult,
  filterResponse,
  needsDeadLetterLookup,
  SearchContext,
  searchFromKafka,
  searchFromStores,
  TraceResponse,
} from './decisions/search-and-response';
import { FromStores, Messages, NEEDS_KAFKA, StorageStatus, WriteStatus } from './decisions/status';
import { KafkaLookups, PrimaryStoreReader, SearchStoreReader } from './readers/ports';
import { itemKey, TraceItem } from './trace-item';
import { withQueuePosition } from './decisions/queue';
import { ConsumerGroupMonitor } from '@lib/kafka';
import { KafkaSlot, TraceKafkaGate } from './kafka-gate';

export interface TraceOptions {
  onlyIncludeErrors: boolean;
  detailed: boolean;
  skipCache: boolean;
}

/**
 * Injection token of the bound on each store read (ms; TRACE_STORE_TIMEOUT_MS, see TraceModule); the
 * trace still answers - UNKNOWN with the reason - when a store does not.
 */
export const TRACE_STORE_TIMEOUT_MS = Symbol('TRACE_STORE_TIMEOUT_MS');

/** Status of each aspect in one storage, by itemKey. */
type Statuses = Map<string, StorageStatus>;

/**
 * A trace's answer with what a waiting caller needs: whether any aspect is PENDING in either storage, and the
 * messages those wait on (each the Kafka message found not yet processed, with its group and partition).
 */
export interface TraceOutcome {
  response: TraceResponse;
  /** Some aspect is PENDING in some storage. */
  pending: boolean;
  /** One per PENDING aspect whose message was located; `pending` with fewer points than pending aspects is possible only in theory. */
  waits: WaitPoint[];
  /** The versioned aspects whose proposal is located and not applied yet (primary PENDING): their change logs are still to come. */
  queued: TraceItem[];
}

/** What the primary pass leaves for the search pass. */
interface PrimaryPass {
  status: Statuses;
  /** The MCP look-ups of the aspects SQL left open. */
  lookups: Map<TraceItem, KafkaLookup>;
  /** The latest SQL rows as first read (empty when SQL could not be read). */
  rows: Map<string, SqlAspectRow>;
}

/**
 * Answers "where did this write get to?" for every requested (urn, aspect), in two passes as DataHub's
 * TraceServiceImpl does: the primary pass (SQL, then Kafka for what SQL leaves open) and the search
 * pass (OpenSearch, then Kafka for what the index leaves open); then the response rules. Each store is
 * read once - one SQL query, one OpenSearch request - and again only for a write that landed while we
 * asked Kafka, so a clean trace never touches Kafka. The rules
 * themselves are pure functions in ./decisions; this class only reads and hands them what they need.
 */
@Injectable()
export class TraceService {
  constructor(
    private readonly primary: PrimaryStoreReader,
    private readonly search: SearchStoreReader,
    private readonly kafka: KafkaLookups,
    @Inject(TRACE_STORE_TIMEOUT_MS) private readonly storeTimeoutMs: number,
    @Optional() private readonly metrics?: Metrics,
    @Optional() private readonly monitor?: ConsumerGroupMonitor,
    /** Unit tests of the rules may leave it out: then Kafka reads are not bounded across traces. */
    @Optional() private readonly gate?: TraceKafkaGate,
  ) {}

  async trace(trace: TraceRef, items: TraceItem[], opts: TraceOptions): Promise<TraceResponse> {
    return (await this.traceOutcome(trace, items, opts)).response;
  }

  /**
   * The trace, and what is still PENDING and on which message (for TraceWaiter). Throws TraceSaturated when
   * it needs Kafka and the gate has no slot for it in time.
   */
  async traceOutcome(trace: TraceRef, items: TraceItem[], opts: TraceOptions): Promise<TraceOutcome> {
    const slot = this.gate?.slot() ?? UNBOUNDED;
    try {
      return await this.decide(trace, items, opts, slot);
    } finally {
      slot.release();
    }
  }

  private async decide(trace: TraceRef, items: TraceItem[], opts: TraceOptions, slot: KafkaSlot): Promise<TraceOutcome> {
    const primary = await this.primaryPass(trace, items, opts, slot);
    const search = await this.searchPass(trace, items, primary, opts, slot);
    let pending = false;
    const waits: WaitPoint[] = [];
    const queued: TraceItem[] = [];
    for (const item of items) {
      const key = itemKey(item);
      primary.status.set(key, this.withQueue(primary.status.get(key)!, primary.lookups.get(item)));
      search.status.set(key, this.withQueue(search.status.get(key)!, search.lookups.get(item)));
      const primaryPending = isPending(primary.status.get(key));
      if (!primaryPending && !isPending(search.status.get(key))) continue;
      pending = true;
      // A primary PENDING makes search PENDING too: its message is the one to wait for.
      const lookup = primaryPending ? primary.lookups.get(item) : search.lookups.get(item);
      if (lookup?.kind !== 'found' || !lookup.at) continue;
      waits.push({ ...lookup.at, offset: String(lookup.offset) });
      if (primaryPending && !item.isTimeseries) queued.push(item);
    }
    return { response: respond(items, primary.status, search.status, opts.onlyIncludeErrors), pending, waits, queued };
  }

  /** A PENDING status on a located message, with where it waits and what its consumer group is doing (contract 5.5). */
  private withQueue(status: StorageStatus, lookup: KafkaLookup | undefined): StorageStatus {
    const at = lookup?.kind === 'found' ? lookup.at : undefined;
    return withQueuePosition(status, lookup, at && this.monitor?.partition(at.groupId, at.topic, at.partition));
  }

  /**
   * Contract 5.1. SQL rows settle most aspects (steps 1-4); Kafka is asked only about the rest: our
   * proposal on the MCP topic against the MCE group (step 5). With `detailed`, the failed topic (step 6).
   */
  private async primaryPass(trace: TraceRef, items: TraceItem[], opts: TraceOptions, slot: KafkaSlot): Promise<PrimaryPass> {
    const versioned = items.filter((i) => !i.isTimeseries);
    const sql = await this.readSql(versioned);
    const rows = sql.ok ? sql.value : new Map<string, SqlAspectRow>();
    const status: Statuses = new Map();
    const open: TraceItem[] = [];
    for (const item of items) {
      const decided = sql.ok ? primaryFromStores({ trace, isTimeseries: item.isTimeseries, latest: rows.get(itemKey(item)) }) : unavailable('MySQL', sql.error);
      if (decided === NEEDS_KAFKA) open.push(item);
      else status.set(itemKey(item), decided);
    }

    const proposals = await this.kafkaSpan('trace.kafka.proposals', open, slot, () => this.kafka.mcpLookups(open, trace, { skipCache: opts.skipCache }));
    for (const item of open) {
      const ctx = { trace, isTimeseries: false, latest: rows.get(itemKey(item)) };
      status.set(itemKey(item), primaryFromKafka(ctx, lookupOf(proposals, item)));
    }

    // SQL was read before the offsets: a write the consumer made and committed in between looks
    // "consumed but missing". Read SQL again for exactly those aspects before calling it an ERROR.
    const consumedMissing = open.filter((i) => status.get(itemKey(i))!.writeMessage === Messages.PROCESSED_PAST);
    if (consumedMissing.length > 0) {
      const again = await this.readSql(consumedMissing);
      for (const item of consumedMissing) {
        const decided = again.ok ? primaryFromStores({ trace, isTimeseries: false, latest: again.value.get(itemKey(item)) }) : NEEDS_KAFKA;
        if (decided !== NEEDS_KAFKA) status.set(itemKey(item), decided);
      }
    }

    if (opts.detailed) {
      const suspects = items.filter((i) => needsFailedLookup(status.get(itemKey(i))!, i.isTimeseries));
      const failures = await this.kafkaSpan('trace.kafka.failures', suspects, slot, () => this.kafka.failedLookups(suspects, trace));
      for (const item of suspects) status.set(itemKey(item), applyFailedLookup(status.get(itemKey(item))!, failures.get(item)));
    }
    return { status, rows, lookups: proposals };
  }

  /**
   * Contract 5.2, following the final primary status. OpenSearch settles most aspects: the timeseries
   * documents carrying our trace id, then - in one real-time mget - the system-metadata documents of the
   * writes SQL has (primary ACTIVE_STATE) and of the timeseries aspects none of whose events carries our
   * trace id (a timeseries DELETE leaves only that document); Kafka is asked only about the rest: our change
   * log on the MCL topic against the MAE group.
   */
  private async searchPass(trace: TraceRef, items: TraceItem[], primary: PrimaryPass, opts: TraceOptions, slot: KafkaSlot): Promise<SearchPass> {
    const timeseries = items.filter((i) => i.isTimeseries);
    const written = await this.readTimeseries(trace, timeseries);
    const withDocs = new Set(
      items.filter((i) =>
        i.isTimeseries ? written.ok && !written.value.has(itemKey(i)) : primary.status.get(itemKey(i))!.writeStatus === WriteStatus.ACTIVE_STATE,
      ),
    );
    const docs = await this.readSystemDocs([...withDocs]);
    const status: Statuses = new Map();
    const open: TraceItem[] = [];
    for (const item of items) {
      let decided: FromStores;
      if (item.isTimeseries && !written.ok) decided = unavailable('OpenSearch', written.error);
      else if (withDocs.has(item) && !docs.ok) decided = unavailable('OpenSearch', docs.error);
      else decided = searchFromStores(searchContext(trace, item, primary, docs, written));
      if (decided === NEEDS_KAFKA) open.push(item);
      else status.set(itemKey(item), decided);
    }

    const changeLogs = await this.kafkaSpan('trace.kafka.changeLogs', open, slot, () => this.changeLogLookups(open, trace, opts.skipCache));
    for (const item of open) {
      const final = primary.status.get(itemKey(item))!;
      status.set(itemKey(item), searchFromKafka(lookupOf(changeLogs, item), { isTimeseries: item.isTimeseries, primary: final }));
    }

    // The same race as in the primary pass: indexed and committed after our document read.
    const consumedMissing = open.filter((i) => status.get(itemKey(i))!.writeMessage === Messages.PROCESSED_PAST);
    if (consumedMissing.length > 0) {
      const timeseriesAgain = consumedMissing.filter((i) => i.isTimeseries);
      const [docsAgain, writtenAgain] = await Promise.all([this.readSystemDocs(consumedMissing), this.readTimeseries(trace, timeseriesAgain)]);
      for (const item of consumedMissing) {
        const decided = searchFromStores(searchContext(trace, item, primary, docsAgain, writtenAgain));
        if (decided !== NEEDS_KAFKA) status.set(itemKey(item), decided);
      }
    }

    // A write that can never reach the index is on a failed topic, with the reason.
    const suspects = open.filter((i) => needsDeadLetterLookup(status.get(itemKey(i))!, changeLogs.get(i), primary.status.get(itemKey(i))!));
    const letters = await this.kafkaSpan('trace.kafka.deadLetters', suspects, slot, () => this.kafka.deadLetterLookups(suspects, trace));
    for (const item of suspects) status.set(itemKey(item), applyDeadLetter(status.get(itemKey(item))!, letters.get(item)));
    return { status, lookups: changeLogs };
  }

  /** Versioned and timeseries aspects have change logs on different topics: both are read, in parallel. */
  private async changeLogLookups(items: TraceItem[], trace: TraceRef, skipCache: boolean): Promise<Map<TraceItem, KafkaLookup>> {
    const versioned = items.filter((i) => !i.isTimeseries);
    const timeseries = items.filter((i) => i.isTimeseries);
    const [v, t] = await Promise.all([
      versioned.length ? this.kafka.mclLookups(versioned, trace, false, { skipCache }) : new Map<TraceItem, KafkaLookup>(),
      timeseries.length ? this.kafka.mclLookups(timeseries, trace, true, { skipCache }) : new Map<TraceItem, KafkaLookup>(),
    ]);
    return new Map([...v, ...t]);
  }

  private readSql(items: TraceItem[]): Promise<Result<Map<string, SqlAspectRow>>> {
    return this.read('SQL', 'mysql', items, new Map(), () => this.primary.latest(items));
  }

  private readSystemDocs(items: TraceItem[]): Promise<Result<Map<string, SearchSystemDoc>>> {
    return this.read('OpenSearch', 'opensearch', items, new Map(), () => this.search.systemDocs(items));
  }

  private readTimeseries(trace: TraceRef, items: TraceItem[]): Promise<Result<Set<string>>> {
    return this.read('OpenSearch', 'opensearch', items, new Set<string>(), () => this.search.timeseriesWritten(trace.traceId, items));
  }

  /**
   * One store read of `items` under a span and a timeout; failure is data, not an exception. Nothing to
   * read (no timeseries aspect asked, say) answers `empty` at once, as the readers would: no span, no timer.
   */
  private async read<T>(store: string, system: Dependency, items: TraceItem[], empty: T, work: () => Promise<T>): Promise<Result<T>> {
    if (items.length === 0) return ok(empty);
    return tracer().startActiveSpan(`trace.read.${system}`, { attributes: { 'db.system': system } }, async (span: Span) => {
      try {
        return ok(await withTimeout(work(), this.storeTimeoutMs, store));
      } catch (e) {
        this.metrics?.dependencyError(system, 'trace_read');
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(e) });
        return err(errorMessage(e));
      } finally {
        span.end();
      }
    });
  }

  /** A Kafka read of `items` under a span, in the trace's slot of the gate (taken at its first Kafka read). */
  private async kafkaSpan<V>(name: string, items: TraceItem[], slot: KafkaSlot, work: () => Promise<Map<TraceItem, V>>): Promise<Map<TraceItem, V>> {
    if (items.length === 0) return new Map();
    await slot.enter();
    return tracer().startActiveSpan(name, { attributes: { 'messaging.system': 'kafka', 'trace.items': items.length } }, async (span: Span) => {
      try {
        return await work();
      } finally {
        span.end();
      }
    });
  }
}

/** What the search pass found: the statuses, and the change-log look-ups of the aspects the index left open. */
interface SearchPass {
  status: Statuses;
  lookups: Map<TraceItem, KafkaLookup>;
}

const UNBOUNDED: KafkaSlot = { enter: () => Promise.resolve(), release: () => undefined };

function isPending(status: StorageStatus | undefined): boolean {
  return status?.writeStatus === WriteStatus.PENDING;
}

/** The response rules: one result per aspect (success iff neither storage is ERROR), then `onlyIncludeErrors`. */
function respond(items: TraceItem[], primary: Statuses, search: Statuses, onlyIncludeErrors: boolean): TraceResponse {
  const response: TraceResponse = {};
  for (const item of items) {
    const key = itemKey(item);
    (response[item.urn] ??= {})[item.aspect] = aspectResult(primary.get(key)!, search.get(key)!);
  }
  return filterResponse(response, onlyIncludeErrors);
}

/** What the search rules see of one aspect; a document read that failed counts as no document. */
function searchContext(
  trace: TraceRef,
  item: TraceItem,
  primary: PrimaryPass,
  docs: Result<Map<string, SearchSystemDoc>>,
  written: Result<Set<string>>,
): SearchContext {
  const key = itemKey(item);
  return {
    trace,
    isTimeseries: item.isTimeseries,
    primary: primary.status.get(key)!,
    latest: primary.rows.get(key),
    systemDoc: docs.ok ? docs.value.get(key) : undefined,
    timeseriesDoc: { found: written.ok && written.value.has(key) },
  };
}

function lookupOf(lookups: Map<TraceItem, KafkaLookup>, item: TraceItem): KafkaLookup {
  return lookups.get(item) ?? { kind: 'failed', reason: 'Kafka gave no answer for this aspect.' };
}

function unavailable(store: string, error: string): StorageStatus {
  return { writeStatus: WriteStatus.UNKNOWN, writeMessage: `${store} unavailable: ${redact(error)}` };
}
