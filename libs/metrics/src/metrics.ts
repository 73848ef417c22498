import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { withTimeout } from '@lib/common';
import { spanStoreCounts } from '@lib/telemetry';
import { clusterMetricsText, offerRegistry } from './cluster-metrics';

/** The systems whose failed calls `dependency_errors_total` counts. */
export type Dependency = 'kafka' | 'mysql' | 'opensearch';

/** One partition's lag: messages on the topic the group has not committed yet. */
export interface ConsumerLagSample {
  group: string;
  topic: string;
  partition: number;
  lag: number;
}

/** What the consumer-group monitor knows of a group (the shape of its view; kept here so metrics need not import it). */
export interface ConsumerGroupFigures {
  groupId: string;
  members: number;
  state: string;
  partitions: { topic: string; partition: number; committedOffset: string; endOffset: string; lag: number; rate: number; state: string }[];
}

/** The states a consumer group can be judged in; each has a series of consumer_group_state (1 for the current one). */
const CONSUMER_STATES = ['OK', 'BEHIND', 'STALLED', 'STOPPED'];

/** Reads the lag of the process's own consumer groups; called at scrape time. */
export type ConsumerLagSource = () => Promise<ConsumerLagSample[]>;

/** The `route` label of a request no Nest route matched (404, or rejected before routing, e.g. 413). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Latency buckets (seconds): sub-millisecond health checks up to a trace at its 10 s deadline. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface MetricsOptions {
  /** Also register prom-client's default process and Node.js metrics (the app does; unit tests need not). */
  defaultMetrics?: boolean;
  /**
   * This process is one worker of a cluster (GMS_WORKERS > 1): its registry is offered to the primary's
   * aggregation, and `text()` is the cluster-wide aggregate.
   */
  clusterWorker?: boolean;
}

/**
 * The process's Prometheus instruments, on one registry of its own. Label sets are bounded: routes
 * are Nest route patterns (never raw URLs), dependencies and operations are fixed strings in code,
 * lag is labelled by the process's own groups and their topics' partitions.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  readonly traceOffsetCache: Counter<'result'>;
  readonly failedProposals: Counter;
  readonly proposalsProcessed: Counter;
  readonly changeLogsIndexed: Counter;
  readonly searchDocumentsRefused: Counter<'index'>;
  readonly searchBulkItemsResent: Counter;
  readonly dependencyErrors: Counter<'dependency' | 'operation'>;
  readonly traceWaitOffsetFetches: Counter<'group'>;
  readonly traceWaiting: Gauge;
  readonly traceKafkaRefused: Counter;
  readonly changeLogsDeadLettered: Counter;
  readonly consumerGroup: {
    lag: Gauge<'group' | 'topic' | 'partition'>;
    committed: Gauge<'group' | 'topic' | 'partition'>;
    end: Gauge<'group' | 'topic' | 'partition'>;
    rate: Gauge<'group' | 'topic' | 'partition'>;
    members: Gauge<'group'>;
    state: Gauge<'group' | 'state'>;
  };
  private readonly lagSources = new Map<ConsumerLagSource, number>();
  private readonly clusterWorker: boolean;

  constructor(options: MetricsOptions = {}) {
    this.clusterWorker = options.clusterWorker ?? false;
    const registers = [this.registry];
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.httpRequestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, Nest route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.consumerLag = new Gauge({
      name: 'kafka_consumer_lag',
      help: "Messages not yet committed by this process's consumer groups (high watermark - committed offset), read from Kafka at scrape time.",
      labelNames: ['group', 'topic', 'partition'],
      registers,
      // Every member of a group (each worker embedding a consumer) reads the whole group's lag.
      aggregator: 'max',
      collect: () => this.collectLag(),
    });
    this.traceOffsetCache = new Counter({
      name: 'trace_offset_cache_total',
      help: 'Consumer-group offset look-ups of the trace endpoint: hit (served from the cache or a load in flight) or miss (loaded from Kafka).',
      labelNames: ['result'],
      registers,
    });
    this.failedProposals = new Counter({ name: 'failed_proposals_total', help: 'Proposals the MCE consumer sent to the failed-proposal topic.', registers });
    this.proposalsProcessed = new Counter({
      name: 'proposals_processed_total',
      help: 'Proposals the MCE consumer finished (applied or sent to the failed-proposal topic), counted once their batch is acknowledged.',
      registers,
    });
    this.changeLogsIndexed = new Counter({ name: 'change_logs_indexed_total', help: 'Change logs the MAE consumer indexed into OpenSearch.', registers });
    this.searchDocumentsRefused = new Counter({
      name: 'search_documents_refused_total',
      help: 'Bulk items OpenSearch refused with 400 (the mapping can never take them): logged at error level with the item, not retried.',
      labelNames: ['index'],
      registers,
    });
    this.searchBulkItemsResent = new Counter({
      name: 'search_bulk_items_resent_total',
      help: 'Bulk items the MAE consumer sent again after a retriable failure (429, 5xx, a version conflict that does not mean stale).',
      registers,
    });
    this.dependencyErrors = new Counter({
      name: 'dependency_errors_total',
      help: 'Failed calls to Kafka, MySQL or OpenSearch, by dependency and operation.',
      labelNames: ['dependency', 'operation'],
      registers,
    });
    this.traceWaitOffsetFetches = new Counter({
      name: 'trace_wait_offset_fetches_total',
      help: 'Committed-offset fetches of the shared watcher of waiting traces (one per consumer group per interval while any trace waits on that group), by group.',
      labelNames: ['group'],
      registers,
    });
    this.traceWaiting = new Gauge({ name: 'trace_waiting_requests', help: 'Trace requests held waiting for a PENDING write (waitMs).', registers });
    this.changeLogsDeadLettered = new Counter({
      name: 'mae_change_logs_dead_lettered_total',
      help: 'Change logs the MAE consumer could not index (unreadable, refused by the index, or failing every try), sent to TOPIC_FAILED_MCL.',
      registers,
    });
    this.traceKafkaRefused = new Counter({
      name: 'trace_kafka_refused_total',
      help: 'Traces answered 503 because every Kafka slot (TRACE_KAFKA_MAX_INFLIGHT) stayed taken for TRACE_KAFKA_QUEUE_MS.',
      registers,
    });
    // The consumer-group monitor's latest sample (GET /openapi/v1/consumers shows the same). Every worker samples
    // the same groups, so the cluster aggregate takes the max, not the sum.
    const partitionGauge = (name: string, help: string): Gauge<'group' | 'topic' | 'partition'> =>
      new Gauge({ name, help, labelNames: ['group', 'topic', 'partition'], registers, aggregator: 'max' });
    this.consumerGroup = {
      lag: partitionGauge('consumer_group_lag', "Messages of the partition the group has not committed yet, at the monitor's latest sample."),
      committed: partitionGauge('consumer_group_committed_offset', "The group's committed offset (next to read) on the partition."),
      end: partitionGauge('consumer_group_end_offset', "The partition's high watermark (next offset to be written)."),
      rate: partitionGauge('consumer_group_consumption_rate', 'Messages per second the group committed on the partition over the monitor window.'),
      members: new Gauge({ name: 'consumer_group_members', help: 'Members of the consumer group.', labelNames: ['group'], registers, aggregator: 'max' }),
      state: new Gauge({
        name: 'consumer_group_state',
        help: "1 for the group's current state (worst over its partitions: OK, BEHIND, STALLED, STOPPED), 0 for the others.",
        labelNames: ['group', 'state'],
        registers,
        aggregator: 'max',
      }),
    };
    // The span store's counts live with the span processor, which starts before any Nest provider: read at scrape.
    let stored = 0;
    new Counter({
      name: 'trace_spans_stored_total',
      help: 'Spans written to the OpenSearch span index (traces that asked for the trace log, and the TRACE_SPAN_SAMPLE_RATIO share).',
      registers,
      collect() {
        this.inc(spanStoreCounts.stored - stored);
        stored = spanStoreCounts.stored;
      },
    });
    const dropped = { queue_full: 0, store_failed: 0 };
    new Counter({
      name: 'trace_spans_dropped_total',
      help: 'Spans not stored: queue_full (more waiting than TRACE_SPAN_QUEUE_MAX), store_failed (OpenSearch refused or was down).',
      labelNames: ['reason'],
      registers,
      collect() {
        for (const reason of ['queue_full', 'store_failed'] as const) {
          this.inc({ reason }, spanStoreCounts.dropped[reason] - dropped[reason]);
          dropped[reason] = spanStoreCounts.dropped[reason];
        }
      },
    });
    // Both results exist from the start, so a rate() over them never starts from a missing series.
    this.traceOffsetCache.inc({ result: 'hit' }, 0);
    this.traceOffsetCache.inc({ result: 'miss' }, 0);
    if (this.clusterWorker) offerRegistry(this.registry);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition of every metric (what GET /metrics answers): of every worker, in a cluster. */
  text(): Promise<string> {
    return this.clusterWorker ? clusterMetricsText() : this.registry.metrics();
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpRequestDuration.observe({ method, route, status: String(status) }, seconds);
  }

  offsetCache(result: 'hit' | 'miss'): void {
    this.traceOffsetCache.inc({ result });
  }

  traceWaitOffsetFetch(group: string): void {
    this.traceWaitOffsetFetches.inc({ group });
  }

  /** Sets the consumer_group_* gauges to the monitor's latest figures (partitions no longer reported disappear). */
  recordConsumerGroups(groups: readonly ConsumerGroupFigures[]): void {
    const { lag, committed, end, rate, members, state } = this.consumerGroup;
    for (const gauge of [lag, committed, end, rate]) gauge.reset();
    for (const g of groups) {
      members.set({ group: g.groupId }, g.members);
      for (const s of CONSUMER_STATES) state.set({ group: g.groupId, state: s }, s === g.state ? 1 : 0);
      for (const p of g.partitions) {
        const labels = { group: g.groupId, topic: p.topic, partition: String(p.partition) };
        lag.set(labels, p.lag);
        committed.set(labels, Number(p.committedOffset));
        end.set(labels, Number(p.endOffset));
        rate.set(labels, p.rate);
      }
    }
  }

  dependencyError(dependency: Dependency, operation: string): void {
    this.dependencyErrors.inc({ dependency, operation });
  }

  /** Lag is read from `source` at each scrape, within `timeoutMs`; returns the unregistration. */
  addConsumerLagSource(source: ConsumerLagSource, timeoutMs: number): () => void {
    this.lagSources.set(source, timeoutMs);
    return () => void this.lagSources.delete(source);
  }

  /**
   * Replaces every lag series with what the sources read now. A source that fails or times out
   * counts a Kafka error and its series disappear: an absent series is honest, a stale one is not.
   */
  private async collectLag(): Promise<void> {
    const read = await Promise.all(
      [...this.lagSources].map(([source, timeoutMs]) =>
        withTimeout(source(), timeoutMs, 'Kafka consumer lag').catch(() => {
          this.dependencyError('kafka', 'consumer_lag');
          return [] as ConsumerLagSample[];
        }),
      ),
    );
    this.consumerLag.reset();
    for (const s of read.flat()) this.consumerLag.set({ group: s.group, topic: s.topic, partition: String(s.partition) }, s.lag);
  }
}
