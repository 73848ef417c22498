import { Inject, Injectable, Optional } from '@nestjs/common';
import { Span, SpanStatusCode } from '@opentelemetry/api';
import { errorMessage, withTimeout } from '@lib/common';
import { tracer } from '@lib/telemetry';
import { Dependency, Metrics } from '@lib/metrics';
import { KafkaLookup, TraceRef } from './decisions/inputs';
import { applyFailedLookup, needsFailedLookup, primaryFromKafka, primaryFromStores } from './decisions/primary-rules';
import { aspectResult, filterResponse, searchFromKafka, searchFromStores, TraceResponse } from './decisions/search-and-response';
import { FromStores, Messages, NEEDS_KAFKA, StorageStatus, WriteStatus } from './decisions/status';
import { KafkaLookups, PrimaryStoreReader, SearchStoreReader } from './readers/ports';
import { itemKey, TraceItem } from './trace-item';

export interface TraceOptions {
  onlyIncludeErrors: boolean;
  detailed: boolean;
  skipCache: boolean;
}

/** Bounds each store read (ms); the trace still answers - UNKNOWN with the reason - when a store does not. */
export const TRACE_STORE_TIMEOUT_MS = Symbol('TRACE_STORE_TIMEOUT_MS');
const DEFAULT_STORE_TIMEOUT_MS = 5000;

/**
 * Answers "where did this write get to?" for every requested (urn, aspect). It reads the stores
 * once each - one SQL query, one OpenSearch request - and asks Kafka only about what they could not
 * settle, so a clean trace never touches Kafka. The rules themselves live in ./decisions.
 */
@Injectable()
export class TraceService {
  constructor(
    private readonly primary: PrimaryStoreReader,
    private readonly search: SearchStoreReader,
    private readonly kafka: KafkaLookups,
    @Optional() @Inject(TRACE_STORE_TIMEOUT_MS) private readonly storeTimeoutMs: number = DEFAULT_STORE_TIMEOUT_MS,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  async trace(trace: TraceRef, items: TraceItem[], opts: TraceOptions): Promise<TraceResponse> {
    const versioned = items.filter((i) => !i.isTimeseries);
    const timeseries = items.filter((i) => i.isTimeseries);

    // Primary storage: SQL, then Kafka for the undecided, then (detailed) the failed topic.
    const rows = await this.read('SQL', 'mysql', versioned, new Map(), () => this.primary.latest(versioned));
    const primary = new Map<string, StorageStatus>();
    const undecided: TraceItem[] = [];
    for (const item of items) {
      const decided = rows.ok
        ? primaryFromStores({ trace, isTimeseries: item.isTimeseries, latest: rows.value.get(itemKey(item)) })
        : unavailable('MySQL', rows.error);
      if (decided === NEEDS_KAFKA) undecided.push(item);
      else primary.set(itemKey(item), decided);
    }
    const proposals = await this.kafkaSpan('trace.kafka.proposals', undecided, () => this.kafka.proposals(undecided, trace, opts.skipCache));
    for (const item of undecided) {
      const latest = rows.ok ? rows.value.get(itemKey(item)) : undefined;
      primary.set(itemKey(item), primaryFromKafka({ trace, isTimeseries: false, latest }, lookupOf(proposals, item)));
    }
    // The store was read before the offsets: a write the consumer made and committed in between looks
    // "consumed but missing". Read the store again for exactly those aspects before calling it an ERROR.
    const consumedMissing = undecided.filter((i) => primary.get(itemKey(i))!.writeMessage === Messages.PROCESSED_PAST);
    if (consumedMissing.length > 0 && rows.ok) {
      const again = await this.read('SQL', 'mysql', consumedMissing, new Map(), () => this.primary.latest(consumedMissing));
      for (const item of consumedMissing) {
        const decided = again.ok ? primaryFromStores({ trace, isTimeseries: false, latest: again.value.get(itemKey(item)) }) : NEEDS_KAFKA;
        if (decided !== NEEDS_KAFKA) primary.set(itemKey(item), decided);
      }
    }
    if (opts.detailed) {
      const suspects = items.filter((i) => needsFailedLookup(primary.get(itemKey(i))!, i.isTimeseries));
      const failures = await this.kafkaSpan('trace.kafka.failures', suspects, () => this.kafka.failures(suspects, trace));
      for (const item of suspects) primary.set(itemKey(item), applyFailedLookup(primary.get(itemKey(item))!, failures.get(itemKey(item))));
    }

    // Search storage: system-metadata docs for active writes, timeseries docs, then Kafka (MCL vs MAE group).
    const needDocs = versioned.filter((i) => primary.get(itemKey(i))!.writeStatus === WriteStatus.ACTIVE_STATE);
    const docs = await this.read('OpenSearch', 'opensearch', needDocs, new Map(), () => this.search.systemDocs(needDocs));
    const written = await this.read('OpenSearch', 'opensearch', timeseries, new Set<string>(), () => this.search.timeseriesWritten(trace.traceId, timeseries));
    const searchStatus = new Map<string, StorageStatus>();
    const unindexed: TraceItem[] = [];
    for (const item of items) {
      const key = itemKey(item);
      const p = primary.get(key)!;
      let decided: FromStores;
      if (item.isTimeseries && !written.ok) decided = unavailable('OpenSearch', written.error);
      else if (!item.isTimeseries && p.writeStatus === WriteStatus.ACTIVE_STATE && !docs.ok) decided = unavailable('OpenSearch', docs.error);
      else {
        decided = searchFromStores({
          trace,
          isTimeseries: item.isTimeseries,
          primary: p,
          latest: rows.ok ? rows.value.get(key) : undefined,
          systemDoc: docs.ok ? docs.value.get(key) : undefined,
          timeseriesDoc: { found: written.ok && written.value.has(key) },
        });
      }
      if (decided === NEEDS_KAFKA) unindexed.push(item);
      else searchStatus.set(key, decided);
    }
    const changeLogs = await this.kafkaSpan('trace.kafka.changeLogs', unindexed, () => this.kafka.changeLogs(unindexed, trace, opts.skipCache));
    for (const item of unindexed)
      searchStatus.set(itemKey(item), searchFromKafka(lookupOf(changeLogs, item), { isTimeseries: item.isTimeseries, primary: primary.get(itemKey(item))! }));
    // Same race on the search side: indexed and committed after our document read.
    const unindexedPast = unindexed.filter((i) => searchStatus.get(itemKey(i))!.writeMessage === Messages.PROCESSED_PAST);
    if (unindexedPast.length > 0) {
      const versionedPast = unindexedPast.filter((i) => !i.isTimeseries);
      const timeseriesPast = unindexedPast.filter((i) => i.isTimeseries);
      const [docsAgain, writtenAgain] = await Promise.all([
        this.read('OpenSearch', 'opensearch', versionedPast, new Map(), () => this.search.systemDocs(versionedPast)),
        this.read('OpenSearch', 'opensearch', timeseriesPast, new Set<string>(), () => this.search.timeseriesWritten(trace.traceId, timeseriesPast)),
      ]);
      for (const item of unindexedPast) {
        const key = itemKey(item);
        const decided = searchFromStores({
          trace,
          isTimeseries: item.isTimeseries,
          primary: primary.get(key)!,
          latest: rows.ok ? rows.value.get(key) : undefined,
          systemDoc: docsAgain.ok ? docsAgain.value.get(key) : undefined,
          timeseriesDoc: { found: writtenAgain.ok && writtenAgain.value.has(key) },
        });
        if (decided !== NEEDS_KAFKA) searchStatus.set(key, decided);
      }
    }

    const response: TraceResponse = {};
    for (const item of items) {
      const key = itemKey(item);
      (response[item.urn] ??= {})[item.aspect] = aspectResult(primary.get(key)!, searchStatus.get(key)!);
    }
    return filterResponse(response, opts.onlyIncludeErrors);
  }

  /**
   * One store read of `items` under a span and a timeout; failure is data, not an exception. Nothing to
   * read (no timeseries aspect asked, say) answers `empty` at once, as the readers would: no span, no timer.
   */
  private async read<T>(
    store: string,
    system: Dependency,
    items: TraceItem[],
    empty: T,
    work: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
    if (items.length === 0) return { ok: true, value: empty };
    return tracer().startActiveSpan(`trace.read.${system}`, { attributes: { 'db.system': system } }, async (span: Span) => {
      try {
        return { ok: true as const, value: await withTimeout(work(), this.storeTimeoutMs, store) };
      } catch (err) {
        this.metrics?.dependencyError(system, 'trace_read');
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
        return { ok: false as const, error: errorMessage(err) };
      } finally {
        span.end();
      }
    });
  }

  private async kafkaSpan<T>(name: string, items: TraceItem[], work: () => Promise<Map<string, T>>): Promise<Map<string, T>> {
    if (items.length === 0) return new Map();
    return tracer().startActiveSpan(name, { attributes: { 'messaging.system': 'kafka', 'trace.items': items.length } }, async (span: Span) => {
      try {
        return await work();
      } finally {
        span.end();
      }
    });
  }
}

function lookupOf(lookups: Map<string, KafkaLookup>, item: TraceItem): KafkaLookup {
  return lookups.get(itemKey(item)) ?? { kind: 'failed', reason: 'Kafka gave no answer for this aspect.' };
}

function unavailable(store: string, error: string): StorageStatus {
  return { writeStatus: WriteStatus.UNKNOWN, writeMessage: `${store} unavailable: ${error}` };
}
