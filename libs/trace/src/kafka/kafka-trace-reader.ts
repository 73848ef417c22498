import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Settings } from '@lib/config';
import { errorMessage } from '@lib/common';
import { FailedMcpEntry, KafkaLookup, OffsetPosition, parseWriteExceptions, TraceRef, withStackTraces } from '../decisions/inputs';
import { WriteException } from '../decisions/status';
import { ConsumerGroupOffsets, committedOn } from './consumer-group-offsets';
import { budgetUntil, DeadlineError, forEachLimited, withDeadline } from './deadline';
import { LocatedMessage, MessageLocator } from './message-locator';
import { partitionForKey, ProducedMessages } from '@lib/kafka';
import { KafkaLookupOptions, KafkaLookups, UrnAspect } from '../readers/ports';
import { MessageFormat } from './trace-message';
import { TRACE_KAFKA_OPTIONS, TraceKafkaOptions } from './trace-kafka-options';

type OnLocated<T> = (item: T, located: LocatedMessage, partition: number) => void;

/**
 * The Kafka side of a trace (contract 5.1 steps 5-7, 5.2): for the aspects the stores left open,
 * where our message is on the URN's partition and what the consumer group has committed there.
 * URNs are looked up in parallel (at most `concurrency` at once) under one deadline. Kafka trouble is
 * never thrown: it becomes a `failed` lookup whose reason says what went wrong. It is the trace
 * service's Kafka port (KafkaLookups) itself.
 */
@Injectable()
export class KafkaTraceReader extends KafkaLookups {
  private readonly logger = new Logger(KafkaTraceReader.name);
  private readonly options: TraceKafkaOptions;

  constructor(
    private readonly groupOffsets: ConsumerGroupOffsets,
    private readonly locator: MessageLocator,
    private readonly settings: Settings,
    @Inject(TRACE_KAFKA_OPTIONS) options: TraceKafkaOptions,
    @Optional() private readonly produced?: ProducedMessages,
  ) {
    super();
    this.options = options;
  }

  /** Primary storage: the MCP topic against the MCE consumer group. */
  mcpLookups<T extends UrnAspect>(items: readonly T[], trace: TraceRef, options: KafkaLookupOptions = {}): Promise<Map<T, KafkaLookup>> {
    return this.offsetLookups(items, trace, this.settings.topics.mcp, this.settings.groups.mce, options);
  }

  /** Search storage: the versioned or timeseries MCL topic against the MAE consumer group. */
  mclLookups<T extends UrnAspect>(items: readonly T[], trace: TraceRef, timeseries: boolean, options: KafkaLookupOptions = {}): Promise<Map<T, KafkaLookup>> {
    const topic = timeseries ? this.settings.topics.mclTimeseries : this.settings.topics.mclVersioned;
    return this.offsetLookups(items, trace, topic, this.settings.groups.mae, options);
  }

  /**
   * Contract 5.1 step 6: the failure the MCE consumer recorded for each item, if any. A lookup that
   * could not finish answers undefined (no recorded failure known) and is logged.
   */
  failedLookups<T extends UrnAspect>(items: readonly T[], trace: TraceRef, options: KafkaLookupOptions = {}): Promise<Map<T, FailedMcpEntry | undefined>> {
    return this.failedOn(this.settings.topics.failedMcp, items, trace, options);
  }

  /** Contract 5.2: both failed topics, read in parallel; the MCE consumer's record first when both hold one. */
  async deadLetterLookups<T extends UrnAspect>(
    items: readonly T[],
    trace: TraceRef,
    options: KafkaLookupOptions = {},
  ): Promise<Map<T, FailedMcpEntry | undefined>> {
    const [proposals, changeLogs] = await Promise.all([
      this.failedOn(this.settings.topics.failedMcp, items, trace, options),
      this.failedOn(this.settings.topics.failedMcl, items, trace, options),
    ]);
    return new Map(items.map((item) => [item, proposals.get(item) ?? changeLogs.get(item)]));
  }

  private async failedOn<T extends UrnAspect>(
    topic: string,
    items: readonly T[],
    trace: TraceRef,
    options: KafkaLookupOptions,
  ): Promise<Map<T, FailedMcpEntry | undefined>> {
    const results = new Map<T, FailedMcpEntry | undefined>();
    const problems: string[] = [];
    await this.withBudget(items, options, (signal) =>
      this.scanUrns(items, trace, topic, 'failed', signal, (item, located) => {
        if (located.kind === 'found') results.set(item, failedEntry(located.value, this.settings.trace.stackTraces));
        if (located.kind === 'failed') problems.push(located.reason);
      }),
    ).catch((err: unknown) => problems.push(this.reason(topic, err)));
    if (problems.length > 0) this.logger.warn(`lookups on ${topic} of trace ${trace.traceId} incomplete: ${problems[0]}`);
    return new Map(items.map((item) => [item, results.get(item)]));
  }

  private async offsetLookups<T extends UrnAspect>(
    items: readonly T[],
    trace: TraceRef,
    topic: string,
    groupId: string,
    options: KafkaLookupOptions,
  ): Promise<Map<T, KafkaLookup>> {
    const results = new Map<T, KafkaLookup>();
    let unfinished = 'lookup did not finish';
    await this.withBudget(items, options, async (signal) => {
      // Offsets first, messages second: a commit read no later than the message can only make a
      // processed write look PENDING for a moment, never make a pending one look lost (ERROR).
      const offsets = await this.groupOffsets.get(groupId, topic, options.skipCache ?? false);
      if (offsets.kind === 'no-group') {
        for (const item of items) results.set(item, { kind: 'no-group' });
        return;
      }
      // A message this process produced is where it went: no scan for it.
      const unknown: T[] = [];
      for (const item of items) {
        const known = this.produced?.find(topic, item.urn, trace.traceId, item.aspect);
        if (known === undefined) unknown.push(item);
        else
          results.set(item, {
            kind: 'found',
            offset: known.offset,
            committed: committedOn(offsets, known.partition),
            timestamp: known.timestamp,
            at: { groupId, topic, partition: known.partition },
          });
      }
      if (unknown.length === 0) return;
      await this.scanUrns(unknown, trace, topic, 'change', signal, (item, located, partition) => {
        results.set(item, toLookup(located, committedOn(offsets, partition), { groupId, topic, partition }));
      });
    }).catch((err: unknown) => (unfinished = this.reason(topic, err)));
    return new Map(items.map((item) => [item, results.get(item) ?? { kind: 'failed', reason: unfinished }]));
  }

  /** One pass per URN over its partition (every aspect of a URN is on the same one), URNs in parallel. */
  private async scanUrns<T extends UrnAspect>(
    items: readonly T[],
    trace: TraceRef,
    topic: string,
    format: MessageFormat,
    signal: AbortSignal,
    onLocated: OnLocated<T>,
  ): Promise<void> {
    const scan = await this.locator.planScan(topic, trace.timestamp);
    const byUrn = groupByUrn(items);
    await forEachLimited(
      [...byUrn],
      this.options.concurrency,
      async ([urn, urnItems]) => {
        const partition = partitionForKey(urn, scan.partitions);
        const aspects = urnItems.map((i) => i.aspect);
        const { byAspect } = await this.locator.locate({ scan, partition, urn, aspects, traceId: trace.traceId, format, signal });
        for (const item of urnItems) onLocated(item, byAspect.get(item.aspect) ?? { kind: 'not-found' }, partition);
      },
      signal,
    );
  }

  /**
   * Runs `work` under the call's deadline; its signal aborts the reads still running when time is up.
   * Callers copy their results as soon as this settles, so reads winding down later change nothing.
   */
  private async withBudget(items: readonly unknown[], options: KafkaLookupOptions, work: (signal: AbortSignal) => Promise<void>): Promise<void> {
    if (items.length === 0) return;
    const budget = budgetUntil(options.deadlineAt ?? Date.now() + this.options.deadlineMs);
    try {
      await withDeadline(work(budget.signal), budget.signal);
    } finally {
      budget.dispose();
    }
  }

  private reason(topic: string, err: unknown): string {
    if (err instanceof DeadlineError) return err.message;
    return `Kafka error on ${topic}: ${errorMessage(err)}`;
  }
}

function toLookup(located: LocatedMessage, committed: string | null, at: OffsetPosition): KafkaLookup {
  switch (located.kind) {
    case 'found':
      return { kind: 'found', offset: located.offset, committed, timestamp: located.timestamp, at };
    case 'not-found':
      return { kind: 'not-found' };
    case 'failed':
      return { kind: 'failed', reason: located.reason };
  }
}

/** The exceptions of a FailedMetadataChangeProposal; `error` is JSON text by contract, tolerated as JSON too. */
function failedEntry(value: unknown, stackTraces: 'full' | 'none'): FailedMcpEntry {
  const error = (value as { error?: unknown } | null)?.error;
  let exceptions: WriteException[] = [];
  if (typeof error === 'string') exceptions = parseWriteExceptions(error);
  else if (error !== undefined && error !== null) exceptions = parseWriteExceptions(JSON.stringify(error));
  return { exceptions: withStackTraces(exceptions, stackTraces) };
}

function groupByUrn<T extends UrnAspect>(items: readonly T[]): Map<string, T[]> {
  const byUrn = new Map<string, T[]>();
  for (const item of items) byUrn.set(item.urn, [...(byUrn.get(item.urn) ?? []), item]);
  return byUrn;
}
