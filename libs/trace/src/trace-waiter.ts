import { setMaxListeners } from 'events';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { Metrics } from '@lib/metrics';
import { TraceRef } from './decisions/inputs';
import { TraceResponse } from './decisions/search-and-response';
import { OffsetWatcher, TRACE_WAIT_OPTIONS, TraceWaitOptions } from './offset-watcher';
import { TraceItem } from './trace-item';
import { TraceOptions, TraceService } from './trace.service';

/** How long a wait whose PENDING aspect has no located message sleeps between traces (not expected to happen). */
const UNWATCHABLE_RETRACE_MS = 1000;

/**
 * The trace endpoint's `waitMs` (contract 5.4): trace once; while some aspect is PENDING, hold the answer
 * until none is or the time is up, then answer the states of that moment. It does not poll: the shared
 * OffsetWatcher tells it when the consumer groups have processed the messages it waits on, and only then
 * does it trace again (possibly PENDING on the next stage, the change log, and waiting again) - or once
 * more at the deadline. At most `maxWaiters` requests are held; a client gone (signal) ends its wait,
 * and so does shutdown (every waiter answers what it has).
 */
@Injectable()
export class TraceWaiter implements OnModuleInit, OnModuleDestroy {
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
        const passed = outcome.waits.length > 0 ? await this.watcher.waitPast(outcome.waits, ended) : await sleep(UNWATCHABLE_RETRACE_MS, ended);
        if (!passed && !timedOut) return outcome.response; // shutdown or client gone: what we have
        // Passed: fresh offsets, so cached ones cannot make a processed write look PENDING again.
        outcome = await this.traces.traceOutcome(trace, items, passed ? { ...opts, skipCache: true } : opts);
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
