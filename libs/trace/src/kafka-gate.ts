import { Inject, Injectable, Optional } from '@nestjs/common';
import { Metrics } from '@lib/metrics';

/** Injection token of the gate's bounds (see TraceModule). */
export const TRACE_KAFKA_GATE_OPTIONS = Symbol('TRACE_KAFKA_GATE_OPTIONS');

export interface KafkaGateOptions {
  /** TRACE_KAFKA_MAX_INFLIGHT: traces of this process reading Kafka at once (each reads at most TRACE_KAFKA_CONCURRENCY partitions at once). */
  maxInFlight: number;
  /** TRACE_KAFKA_QUEUE_MS: how long a trace waits for a free slot before it is refused. */
  queueMs: number;
}

/** A trace refused because every Kafka slot stayed taken for TRACE_KAFKA_QUEUE_MS: a 503 with Retry-After (DomainErrorsFilter). */
export class TraceSaturated extends Error {
  override name = 'TraceSaturated';
  constructor(
    readonly inFlight: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `Too many traces are reading Kafka right now (${inFlight} at once, the bound TRACE_KAFKA_MAX_INFLIGHT): this trace needs Kafka and was not started. ` +
        `Retry after ${retryAfterSeconds} s; traces of writes that have settled are not affected.`,
    );
  }
}

/** `work`'s result; undefined when the gate refused it (TraceSaturated): for re-traces inside a wait, which look again later. */
export async function unlessSaturated<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof TraceSaturated) return undefined;
    throw e;
  }
}

/** A trace's hold on the gate: taken on its first Kafka read, kept until the trace ends (release). */
export interface KafkaSlot {
  /** Takes the slot if this trace does not hold one yet; throws TraceSaturated if none frees up in time. */
  enter(): Promise<void>;
  release(): void;
}

/**
 * The bound on what traces cost Kafka, shared by every request of the process (contract 5.3): at most
 * `maxInFlight` traces read Kafka at once; one more waits up to `queueMs` for a slot (first come, first
 * served) and is then refused - a prompt 503 rather than a slow answer for everyone. A trace takes its slot
 * only when the stores left something open, so traces of settled writes, which read SQL and OpenSearch
 * only, never wait here.
 */
@Injectable()
export class TraceKafkaGate {
  private inFlight = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    @Inject(TRACE_KAFKA_GATE_OPTIONS) private readonly options: KafkaGateOptions,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  /** Traces holding a slot now. */
  get busy(): number {
    return this.inFlight;
  }

  /** A slot for one trace; nothing is taken before its first enter(). */
  slot(): KafkaSlot {
    let held = false;
    return {
      enter: async () => {
        if (held) return;
        await this.acquire();
        held = true;
      },
      release: () => {
        if (!held) return;
        held = false;
        this.releaseOne();
      },
    };
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.options.maxInFlight) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const granted = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.queue.splice(this.queue.indexOf(granted), 1);
        this.metrics?.traceKafkaRefused.inc();
        reject(new TraceSaturated(this.inFlight, Math.max(1, Math.ceil(this.options.queueMs / 1000))));
      }, this.options.queueMs);
      this.queue.push(granted);
    });
  }

  /** The slot goes to the longest waiter, if any (inFlight unchanged), else back to the pool. */
  private releaseOne(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.inFlight--;
  }
}
