import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { Settings } from '@lib/config';
import { errorMessage, retryForever } from '@lib/common';
import { CheckOutcome, DependencyCheck } from '@lib/health';
import { TopicSetup } from '@lib/kafka';
import { SqlSetup } from '@lib/sql';
import { IndexDefinition, SearchSetup } from '@lib/search';
import { Metrics } from '@lib/metrics';

/** The index definitions this process must create (the system-metadata index plus the registry's). */
export const INDEX_DEFINITIONS = Symbol('INDEX_DEFINITIONS');

type Part = 'mysql' | 'kafka' | 'opensearch';

/**
 * Creates the SQL table, the topics and the indices this process uses, each retried with backoff
 * in the background until it succeeds: the service starts (and answers health with 503) while a
 * dependency is still down, rather than crashing in a loop.
 */
@Injectable()
export class SchemaSetup extends DependencyCheck implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly name = 'schema';
  private readonly logger = new Logger(SchemaSetup.name);
  private readonly done = new Set<Part>();
  private readonly errors = new Map<Part, string>();
  private stopped = false;

  constructor(
    private readonly settings: Settings,
    @Optional() private readonly sql?: SqlSetup,
    @Optional() private readonly topics?: TopicSetup,
    @Optional() private readonly search?: SearchSetup,
    @Optional() @Inject(INDEX_DEFINITIONS) private readonly indices: IndexDefinition[] = [],
    @Optional() private readonly metrics?: Metrics,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    if (this.settings.setupOnStart) void this.runAll();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  private parts(): [Part, () => Promise<unknown>][] {
    const parts: [Part, () => Promise<unknown>][] = [];
    if (this.sql) parts.push(['mysql', () => this.sql!.ensure()]);
    if (this.topics) parts.push(['kafka', () => this.topics!.ensure()]);
    if (this.search) parts.push(['opensearch', () => this.search!.ensure(this.indices)]);
    return parts;
  }

  /** Sets everything up in parallel, retrying each part until it is done (or the app stops). */
  async runAll(): Promise<void> {
    await Promise.all(
      this.parts().map(([part, work]) =>
        retryForever(work, {
          initialDelayMs: 500,
          maxDelayMs: 15000,
          stopped: () => this.stopped,
          onFailure: (err, attempt, next) => {
            this.metrics?.dependencyError(part, 'setup');
            this.errors.set(part, errorMessage(err));
            this.logger.warn(`${part} setup attempt ${attempt} failed (${errorMessage(err)}); retrying in ${next} ms`);
          },
        }).then(() => {
          if (this.stopped) return;
          this.done.add(part);
          this.errors.delete(part);
          this.logger.log(`${part} schema ready`);
        }),
      ),
    );
  }

  /** Runs each part once, failing on the first error (the `--setup` command). */
  async runOnce(): Promise<void> {
    for (const [part, work] of this.parts()) {
      await work();
      this.done.add(part);
    }
  }

  async check(): Promise<CheckOutcome> {
    if (!this.settings.setupOnStart) return { up: true, details: { setupOnStart: false } };
    const pending = this.parts()
      .map(([p]) => p)
      .filter((p) => !this.done.has(p));
    return {
      up: pending.length === 0,
      details: { ready: [...this.done], pending, ...(this.errors.size ? { errors: Object.fromEntries(this.errors) } : {}) },
    };
  }
}
