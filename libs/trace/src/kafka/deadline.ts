import { setMaxListeners } from 'events';

/** The overall budget of one call: a signal that aborts when it runs out, carrying a DeadlineError. */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

export interface Budget {
  signal: AbortSignal;
  /** Ends the budget early: stops the timer and abandons whatever still listens to the signal. */
  dispose(): void;
}

/** A budget ending at `deadlineAt` (epoch ms). */
export function budgetUntil(deadlineAt: number, now = Date.now()): Budget {
  const controller = new AbortController();
  // Every read in flight listens for the end of the budget and stops listening when it ends; with
  // many URNs queued that can pass Node's leak-warning threshold of 10 without leaking anything.
  setMaxListeners(0, controller.signal);
  const total = Math.max(0, Math.round(deadlineAt - now));
  const timeout = () => controller.abort(new DeadlineError(`timed out after ${total} ms`));
  const timer = setTimeout(timeout, total);
  timer.unref();
  const dispose = () => {
    clearTimeout(timer);
    if (!controller.signal.aborted) controller.abort(new Error('the lookup was abandoned'));
  };
  return { signal: controller.signal, dispose };
}

/** `work`, or a rejection with the signal's reason as soon as it aborts (the work itself is left to wind down). */
export function withDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Runs `fn` over `items`, at most `limit` at a time, starting no new item once `signal` aborted. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
