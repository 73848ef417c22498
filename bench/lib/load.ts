import { Figure, nowMs, sleep, summarize } from './stats';

export interface ClosedLoopResult {
  /** Aspects per second over the whole run; median/p99 over 500 ms windows. */
  throughput: Figure;
  /** Per request, ms. */
  latency: Figure;
  aspects: number;
  errors: number;
  firstError?: string;
}

const WINDOW_MS = 500;

/** What closed loops counted; several runs (rounds alternating with the floor) add up in one tally. */
export class LoadTally {
  windows: number[] = [];
  latencies: number[] = [];
  aspects = 0;
  elapsedMs = 0;
  errors = 0;
  firstError?: string;

  result(): ClosedLoopResult {
    return {
      throughput: summarize(
        this.windows.map((w) => (w * 1000) / WINDOW_MS),
        'aspects/s',
        (this.aspects * 1000) / this.elapsedMs,
      ),
      latency: summarize(this.latencies, 'ms'),
      aspects: this.aspects,
      errors: this.errors,
      ...(this.firstError ? { firstError: this.firstError } : {}),
    };
  }
}

/**
 * `clients` loops, each sending its next batch as soon as the previous one was accepted, for `ms`.
 * `op` resolves with the number of aspects accepted (0 = rejected) and throws on transport errors.
 */
export async function closedLoop(clients: number, ms: number, op: (seq: number) => Promise<number>, tally = new LoadTally()): Promise<LoadTally> {
  const start = nowMs();
  const end = start + ms;
  const windows = new Array<number>(Math.ceil(ms / WINDOW_MS)).fill(0);
  let seq = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (nowMs() < end) {
        const t0 = nowMs();
        let n = 0;
        try {
          n = await op(seq++);
        } catch (err) {
          tally.firstError ??= String(err);
        }
        const t1 = nowMs();
        if (n === 0) {
          tally.errors++;
          continue;
        }
        if (t1 > end) break; // finished after the bell: not counted
        tally.latencies.push(t1 - t0);
        tally.aspects += n;
        windows[Math.floor((t1 - start) / WINDOW_MS)] += n;
      }
    }),
  );
  tally.elapsedMs += ms;
  tally.windows.push(...windows);
  return tally;
}

export interface OpenLoopResult {
  offeredPerSec: number;
  /** Batches actually sent per second x batch size (lower than offered when the sender fell behind). */
  sentPerSec: number;
  acceptLatency: Figure;
  batches: number;
  errors: number;
  /** Sends that started more than 50 ms after their scheduled time (the cap on requests in flight was hit). */
  late: number;
}

/**
 * Sends one batch of `batch` aspects every batch/rate seconds for `ms`, whether or not earlier ones were
 * answered (an open loop: a slow server does not slow the offered load), at most `maxInFlight` at once.
 */
export async function openLoop(
  ratePerSec: number,
  batch: number,
  ms: number,
  send: (seq: number) => Promise<boolean>,
  maxInFlight = 256,
): Promise<OpenLoopResult> {
  const interval = (batch * 1000) / ratePerSec;
  const start = nowMs();
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let errors = 0;
  let late = 0;
  let seq = 0;
  for (let due = start; due < start + ms; due += interval) {
    const wait = due - nowMs();
    if (wait > 1) await sleep(wait - 0.5);
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    if (nowMs() - due > 50) late++;
    const t0 = nowMs();
    const p: Promise<void> = send(seq++)
      .then((ok) => {
        if (ok) latencies.push(nowMs() - t0);
        else errors++;
      })
      .catch(() => void errors++)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  const sendingMs = nowMs() - start;
  await Promise.all(inFlight);
  return {
    offeredPerSec: ratePerSec,
    sentPerSec: Math.round((seq * batch * 1000) / sendingMs),
    acceptLatency: summarize(latencies, 'ms'),
    batches: seq,
    errors,
    late,
  };
}

/** Runs `op` `n` times one after another and answers the durations (ms). */
export async function timed(n: number, op: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = nowMs();
    await op(i);
    out.push(nowMs() - t0);
  }
  return out;
}
