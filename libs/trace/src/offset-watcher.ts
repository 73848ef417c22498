import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { errorMessage } from '@lib/common';
import { Metrics } from '@lib/metrics';
import { WaitPoint } from './decisions/inputs';
import { KafkaAdminPort, PartitionRange } from './kafka/kafka-admin.port';

/** Injection token of the waits' tuning (see TraceModule). */
export const TRACE_WAIT_OPTIONS = Symbol('TRACE_WAIT_OPTIONS');

export interface TraceWaitOptions {
  /** TRACE_DEFAULT_WAIT_MS: the wait of a trace request that gives no waitMs. */
  defaultWaitMs: number;
  /** TRACE_MAX_WAITERS: most requests held at once; past it a trace answers at once. */
  maxWaiters: number;
  /** TRACE_WAIT_POLL_MS: how often the watcher reads each group's committed offsets while anyone waits on it. */
  pollMs: number;
  /** Where the MCE consumer's change logs go and who reads them: what a wait follows once its proposals are applied. */
  changeLogs: { groupId: string; topic: string };
}

interface Watch {
  points: readonly WaitPoint[];
  done: (passed: boolean) => void;
}

/**
 * The one watcher per process of the committed offsets that waiting traces wait on. Every `pollMs`, while
 * anyone waits, it makes ONE admin fetch per consumer group (all the topics waited on of that group in one
 * request), whatever the number of waiters, and releases each waiter whose messages the group has all
 * processed (committed offset > the message's offset: the committed offset is the next one to read). With
 * nobody waiting it makes no request at all. Nothing but Kafka is shared: each process has its own watcher.
 */
@Injectable()
export class OffsetWatcher implements OnModuleDestroy {
  private readonly logger = new Logger(OffsetWatcher.name);
  private readonly watches = new Set<Watch>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastError = '';
  /** Admin fetches made, by group (for tests; the metric trace_wait_offset_fetches_total counts the same). */
  readonly fetches = new Map<string, number>();
  /** When the committed offsets that released the latest waiters were read (epoch ms, at the end of that fetch). */
  observedAt = 0;
  /** The latest end offsets read per topic, and when that read started. */
  private readonly ends = new Map<string, { at: number; ranges: Promise<PartitionRange[]> }>();

  constructor(
    private readonly admin: KafkaAdminPort,
    @Inject(TRACE_WAIT_OPTIONS) private readonly options: TraceWaitOptions,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  /** How many waits are registered now. */
  get watching(): number {
    return this.watches.size;
  }

  /**
   * Resolves true once every point is passed (checked at the watcher's next fetches, never before), false
   * when `signal` aborts first or the watcher stops. No points: only the signal ends it.
   */
  waitPast(points: readonly WaitPoint[], signal: AbortSignal): Promise<boolean> {
    if (this.stopped || signal.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const watch: Watch = {
        points,
        done: (passed) => {
          this.watches.delete(watch);
          signal.removeEventListener('abort', onAbort);
          resolve(passed);
        },
      };
      const onAbort = (): void => watch.done(false);
      signal.addEventListener('abort', onAbort, { once: true });
      this.watches.add(watch);
      this.schedule();
    });
  }

  /**
   * The end offsets of `topic` as read at or after `notBefore` (epoch ms): one ListOffsets shared by every waiter
   * asking about the same moment (all those one tick released), a new one for a later moment.
   */
  endOffsets(topic: string, notBefore: number): Promise<PartitionRange[]> {
    const cached = this.ends.get(topic);
    if (cached && cached.at >= notBefore) return cached.ranges;
    const read = { at: Date.now(), ranges: this.admin.partitionRanges(topic) };
    this.ends.set(topic, read);
    read.ranges.catch(() => {
      if (this.ends.get(topic) === read) this.ends.delete(topic);
    });
    return read.ranges;
  }

  /** Releases every waiter (false) and refuses new ones: the process is stopping. */
  onModuleDestroy(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const watch of [...this.watches]) watch.done(false);
  }

  private schedule(): void {
    if (this.timer || this.stopped || this.watches.size === 0) return;
    this.timer = setTimeout(() => void this.tick(), this.options.pollMs);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    try {
      const committed = await this.fetchCommitted();
      this.observedAt = Date.now();
      for (const watch of [...this.watches]) {
        if (watch.points.length > 0 && watch.points.every((p) => passed(committed, p))) watch.done(true);
      }
    } finally {
      this.timer = undefined;
      this.schedule();
    }
  }

  /** One fetch per group waited on: committed offsets by `group topic partition`. */
  private async fetchCommitted(): Promise<Map<string, bigint>> {
    const topicsByGroup = new Map<string, Set<string>>();
    for (const { points } of this.watches) {
      for (const p of points) {
        const topics = topicsByGroup.get(p.groupId) ?? new Set<string>();
        topics.add(p.topic);
        topicsByGroup.set(p.groupId, topics);
      }
    }
    const committed = new Map<string, bigint>();
    await Promise.all(
      [...topicsByGroup].map(async ([groupId, topics]) => {
        this.fetches.set(groupId, (this.fetches.get(groupId) ?? 0) + 1);
        this.metrics?.traceWaitOffsetFetch(groupId);
        try {
          const byTopic = await this.admin.committedOffsetsOfTopics(groupId, [...topics]);
          for (const [topic, partitions] of byTopic) {
            for (const { partition, offset } of partitions) {
              if (/^\d+$/.test(offset)) committed.set(key(groupId, topic, partition), BigInt(offset));
            }
          }
        } catch (err) {
          // Nobody is released on a failed fetch; the deadlines bound the waits. Logged once per distinct error.
          this.metrics?.dependencyError('kafka', 'fetch_group_offsets');
          const message = errorMessage(err);
          if (message !== this.lastError) this.logger.warn(`committed offsets of ${groupId}: ${message}`);
          this.lastError = message;
        }
      }),
    );
    return committed;
  }
}

function key(groupId: string, topic: string, partition: number): string {
  return `${groupId}\u0000${topic}\u0000${partition}`;
}

function passed(committed: Map<string, bigint>, p: WaitPoint): boolean {
  const next = committed.get(key(p.groupId, p.topic, p.partition));
  return next !== undefined && next > BigInt(p.offset);
}
