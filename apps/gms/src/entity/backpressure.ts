import { Injectable } from '@nestjs/common';
import { Settings } from '@lib/config';
import { ConsumerGroupMonitor } from '@lib/kafka';

/** An asynchronous write refused because the MCE consumer is too far behind: a 429 with Retry-After (DomainErrorsFilter). */
export class WritesThrottled extends Error {
  override name = 'WritesThrottled';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The configured bounds (BACKPRESSURE_MAX_LAG, BACKPRESSURE_MAX_WAIT_MS); 0 = that bound is off. */
export interface BackpressureBounds {
  maxLag: number;
  maxWaitMs: number;
}

/** Where the MCE group stands: its lag on the proposal topic and the messages per second it committed lately. */
export interface QueueFigures {
  groupId: string;
  lag: number;
  rate: number;
}

/** Retry-After when the group is not consuming at all, so no drain time can be computed (seconds). */
const RETRY_WHEN_NOT_CONSUMING_S = 5;
/** Retry-After is never longer than this (seconds): the figures are re-read at every request anyway. */
const MAX_RETRY_AFTER_S = 60;

/**
 * The backpressure rule: refuse when the lag is above maxLag, or when the drain time at the recent rate
 * (lag / rate; unbounded for lag that is not being consumed) is above maxWaitMs. Retry-After is the time,
 * at that rate, until the group is back under the bound that was passed (at least 1 s, at most 60 s).
 * Returns undefined when the write may go.
 */
export function throttled(q: QueueFigures, bounds: BackpressureBounds): WritesThrottled | undefined {
  const drainMs = q.lag === 0 ? 0 : q.rate > 0 ? (q.lag / q.rate) * 1000 : Number.POSITIVE_INFINITY;
  const overLag = bounds.maxLag > 0 && q.lag > bounds.maxLag;
  const overWait = bounds.maxWaitMs > 0 && drainMs > bounds.maxWaitMs;
  if (!overLag && !overWait) return undefined;
  const excessSeconds = Math.max(overLag ? (q.lag - bounds.maxLag) / q.rate : 0, overWait ? (drainMs - bounds.maxWaitMs) / 1000 : 0);
  const retryAfter = Number.isFinite(excessSeconds) ? Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil(excessSeconds))) : RETRY_WHEN_NOT_CONSUMING_S;
  const why = overLag
    ? `${q.lag} messages behind (bound BACKPRESSURE_MAX_LAG=${bounds.maxLag})`
    : `an estimated ${Number.isFinite(drainMs) ? `${Math.ceil(drainMs)} ms` : 'unbounded time (it is not consuming)'} from catching up (bound BACKPRESSURE_MAX_WAIT_MS=${bounds.maxWaitMs})`;
  return new WritesThrottled(
    `Asynchronous writes are throttled: the consumer group ${q.groupId} is ${why}. Nothing of this request was queued; ` +
      `retry after ${retryAfter} s. Synchronous writes (async=false) and traces are not throttled.`,
    retryAfter,
  );
}

/**
 * Applies the rule to the MCE group as the consumer-group monitor last sampled it (CONSUMER_MONITOR_INTERVAL_MS
 * old at most). Off when both bounds are 0 (the default), and when no sample has been taken yet.
 */
@Injectable()
export class Backpressure {
  constructor(
    private readonly monitor: ConsumerGroupMonitor,
    private readonly settings: Settings,
  ) {}

  /** Throws WritesThrottled while the MCE group is past a bound. Call it before anything of the request is queued. */
  check(): void {
    const bounds = this.settings.backpressure;
    if (bounds.maxLag === 0 && bounds.maxWaitMs === 0) return;
    const group = this.monitor.group(this.settings.groups.mce);
    if (group === undefined) return;
    const refused = throttled({ groupId: group.groupId, lag: group.lag, rate: group.rate }, bounds);
    if (refused) throw refused;
  }
}
