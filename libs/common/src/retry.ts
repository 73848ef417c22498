export interface RetryOptions {
  /** First delay; doubled after every failure up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Called after each failure with the delay before the next attempt. */
  onFailure?: (err: unknown, attempt: number, nextDelayMs: number) => void;
  /** Stops retrying (and resolves undefined) once this returns true. */
  stopped?: () => boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Runs `work` until it succeeds, with exponential backoff and jitter: a dependency that is
 * down at start-up is waited for, never crashed on in a loop.
 */
export async function retryForever<T>(work: () => Promise<T>, opts: RetryOptions): Promise<T | undefined> {
  let delay = opts.initialDelayMs;
  for (let attempt = 1; !opts.stopped?.(); attempt++) {
    try {
      return await work();
    } catch (err) {
      const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
      opts.onFailure?.(err, attempt, jittered);
      await sleep(jittered);
      delay = Math.min(delay * 2, opts.maxDelayMs);
    }
  }
  return undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
