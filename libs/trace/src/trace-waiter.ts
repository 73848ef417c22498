import { setMaxListeners } from 'events';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { Metrics } from '@lib/metrics';
import { errorMessage } from '@lib/common';
import { TraceRef, WaitPoint } from './decisions/inputs';
import { partitionForKey } from '@lib/kafka';
import { TraceResponse } from './decisions/search-and-response';
import { OffsetWatcher, TRACE_WAIT_OPTIONS, TraceWaitOptions } from './offset-watcher';
import { TraceItem } from './trace-item';
import { TraceOptions, TraceOutcome, TraceService } from './trace.service';
import { unlessSaturated } from './kafka-gate';

/** How long a wait whose PENDING aspect has no located message sleeps between traces (not expected to happen). */
const UNWATCHABLE_RETRACE_MS = 1000;
/** How long a wait whose re-trace found no free Kafka slot sleeps before it tries again. */
const SATURATED_RETRACE_MS = 200;

/**
 * The trace endpoint's `waitMs` (contract 5.4): trace once; while some aspect is PENDING, hold the answer
 * until none is or the time is up, then answer the states of that moment. It does not poll: the shared
 * OffsetWatcher tells it when the consumer groups have processed the messages it waits on, and only then
 * does it trace again - or once more at the deadline. A proposal once applied is followed to its change log
 * without a trace in between (waitForChangeLogs). At most `maxWaiters` requests are held; a client gone (signal) ends its wait,
 * and so does shutdown (every waiter answers what it has).
 */
@Injectable()
export class TraceWaiter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TraceWaiter.name);
  private held = 0;
  private readonly stopping = new AbortController();

  constructor(
    private readonly traces: TraceService,
    private readonly watcher: OffsetWatcher,
    @Inject(TRACE_WAIT_OPTIONS) private readonly options: TraceWaitOptions,
    @Optional() private readonly metrics?: Metrics,
  ) {
    // Every held request listens to it (at most maxWaiters).
    setMaxListeners(0, this.stopping.signal);
  }

  /** Requests held waiting now. */
  get waiting(): number {
    return this.held;
  }

  /** `waitMs` undefined: the configured default. `signal`: the client went away. */
  async trace(trace: TraceRef, items: TraceItem[], opts: TraceOptions, waitMs?: number, signal?: AbortSignal): Promise<TraceResponse> {
    const first = await this.traces.traceOutcome(trace, items, opts);
    const wait = waitMs ?? this.options.defaultWaitMs;
    if (!first.pending || wait <= 0 || this.held >= this.options.maxWaiters || this.stopping.signal.aborted || signal?.aborted) return first.response;

    this.held++;
    this.metrics?.traceWaiting.inc();
    // One signal for the three ends of a wait; listeners removed after, as the stopping signal lives long.
    const end = new AbortController();
    const ended = end.signal;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      end.abort();
    }, wait);
    const stop = (): void => end.abort();
    this.stopping.signal.addEventListener('abort', stop);
    signal?.addEventListener('abort', stop);
    try {
      let outcome = first;
      while (outcome.pending) {
        let passed = outcome.waits.length > 0 ? await this.watcher.waitPast(outcome.waits, ended) : await sleep(UNWATCHABLE_RETRACE_MS, ended);
        if (passed && outcome.queued.length > 0) passed = await this.waitForChangeLogs(outcome, ended);
        if (!passed && !timedOut) return outcome.response; // shutdown or client gone: what we have
        // Passed: fresh offsets, so cached ones cannot make a processed write look PENDING again.
        const next = await this.retrace(trace, items, passed ? { ...opts, skipCache: true } : opts);
        if (next === undefined) {
          // No Kafka slot (TraceSaturated): the last answer stands; look again shortly, until the deadline.
          if (!passed || !(await sleep(SATURATED_RETRACE_MS, ended))) return outcome.response;
          continue;
        }
        outcome = next;
        if (!passed) break; // the deadline: the states of this moment
      }
      return outcome.response;
    } finally {
      clearTimeout(timer);
      this.stopping.signal.removeEventListener('abort', stop);
      signal?.removeEventListener('abort', stop);
      this.held--;
      this.metrics?.traceWaiting.dec();
    }
  }

  /** A trace again; undefined when the Kafka gate had no slot for it (the first trace of a request answers 503 instead). */
  private async retrace(trace: TraceRef, items: TraceItem[], opts: TraceOptions): Promise<TraceOutcome | undefined> {
    return unlessSaturated(this.traces.traceOutcome(trace, items, opts));
  }

  /**
   * The queued proposals are applied now (the MCE group committed past them). The consumer produced their change
   * logs before it committed, so each sits below its partition's end offset read now: wait for the MAE group to pass
   * those ends, then trace once, instead of tracing at once and locating every change log on Kafka (a partition scan
   * per aspect, what bounds a busy service's waits). A proposal that failed has no change log; the barrier passes
   * anyway once the MAE group catches up. Without the end offsets, it traces at once as before.
   */
  private async waitForChangeLogs(outcome: TraceOutcome, ended: AbortSignal): Promise<boolean> {
    const { groupId, topic } = this.options.changeLogs;
    let ranges;
    try {
      ranges = await this.watcher.endOffsets(topic, this.watcher.observedAt);
    } catch (e) {
      this.logger.debug(`end offsets of ${topic}: ${errorMessage(e)}`);
      return true;
    }
    if (ranges.length === 0) return true;
    const high = new Map(ranges.map((r) => [r.partition, BigInt(r.high)]));
    const barrier = new Map<number, WaitPoint>();
    for (const item of outcome.queued) {
      const partition = partitionForKey(item.urn, ranges.length);
      const end = high.get(partition) ?? 0n;
      // Nothing was ever written there: nothing to wait for on that partition.
      if (end > 0n) barrier.set(partition, { groupId, topic, partition, offset: String(end - 1n) });
    }
    return barrier.size === 0 ? true : this.watcher.waitPast([...barrier.values()], ended);
  }

  /**
   * On SIGTERM/SIGINT, not only at module destroy: the HTTP server drains its requests in flight before the
   * modules are destroyed (libs/bootstrap serve), and a held trace must not hold the shutdown.
   */
  onModuleInit(): void {
    for (const signal of STOP_SIGNALS) process.on(signal, this.stop);
  }

  /** Shutdown: every held request answers at once with what it has, and none is held from then on. */
  onModuleDestroy(): void {
    for (const signal of STOP_SIGNALS) process.off(signal, this.stop);
    this.stop();
  }

  private readonly stop = (): void => this.stopping.abort();
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** true after `ms`, false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
