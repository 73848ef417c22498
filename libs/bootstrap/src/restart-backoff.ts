export interface RestartBackoffOptions {
  /** Delay before the second replacement in a row of workers that died young; doubled for each further one. */
  initialMs: number;
  /** Upper bound on the delay. */
  maxMs: number;
  /** A worker that ran at least this long died of something else than a crash loop: the next replacement is immediate. */
  stableMs: number;
}

/**
 * How long the cluster primary waits before replacing a worker that died. A worker that had been
 * running for a while is replaced at once; workers dying young in a row (a crash loop: a bug hit at
 * start, a dependency that kills the process) are replaced after 1 s, 2 s, 4 s ... up to `maxMs`, so the
 * primary never spins forking processes that die at once.
 */
export class RestartBackoff {
  private youngDeaths = 0;

  constructor(private readonly opts: RestartBackoffOptions = { initialMs: 1000, maxMs: 30000, stableMs: 30000 }) {}

  /** The delay before replacing a worker that died after running `uptimeMs`. */
  next(uptimeMs: number): number {
    if (uptimeMs >= this.opts.stableMs) this.youngDeaths = 0;
    const delay = this.youngDeaths === 0 ? 0 : Math.min(this.opts.maxMs, this.opts.initialMs * 2 ** (this.youngDeaths - 1));
    this.youngDeaths++;
    return delay;
  }
}
