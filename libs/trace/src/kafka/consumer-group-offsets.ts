import { Inject, Injectable, Optional } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Metrics } from '@lib/metrics';
import { KafkaAdminPort } from './kafka-admin.port';
import { TRACE_KAFKA_OPTIONS, TraceKafkaOptions } from './trace-kafka-options';

/** What a consumer group has committed on one topic. */
export type GroupOffsets =
  /** The group does not exist: it never committed anything and has no members. */
  | { kind: 'no-group' }
  /**
   * The group exists. `committed` holds the next offset it will read, per partition it has committed;
   * a partition absent from it has no commit yet (the group will start it from the earliest offset).
   */
  | { kind: 'committed'; committed: ReadonlyMap<number, string> };

/** The committed offset of `partition`, or null when the group has not committed it. */
export function committedOn(offsets: GroupOffsets, partition: number): string | null {
  return offsets.kind === 'committed' ? (offsets.committed.get(partition) ?? null) : null;
}

const NO_GROUP: GroupOffsets = Object.freeze({ kind: 'no-group' });

interface CacheKey {
  groupId: string;
  topic: string;
}

/**
 * Committed offsets of consumer groups, from the admin API, cached per (group, topic) for a short
 * TTL: a trace touches the same group and topic for every URN, and many traces arrive together.
 * Concurrent loads of one entry share a single admin round trip; a failed load is not cached.
 */
@Injectable()
export class ConsumerGroupOffsets {
  private readonly cache: LRUCache<string, GroupOffsets, CacheKey>;
  private readonly alwaysRefresh: boolean;
  /** Admin loads started, to tell a cache hit from a miss. */
  private loads = 0;

  constructor(
    private readonly admin: KafkaAdminPort,
    @Inject(TRACE_KAFKA_OPTIONS) options: TraceKafkaOptions,
    @Optional() private readonly metrics?: Metrics,
  ) {
    const { offsetCacheTtlMs, offsetCacheMax, clock } = options;
    // lru-cache reads ttl 0 as "never expires"; for us 0 means "do not cache" (loads are still coalesced).
    this.alwaysRefresh = offsetCacheTtlMs <= 0;
    this.cache = new LRUCache<string, GroupOffsets, CacheKey>({
      max: Math.max(1, offsetCacheMax),
      ttl: Math.max(1, offsetCacheTtlMs),
      ...(clock ? { perf: clock } : {}),
      fetchMethod: (_key, _stale, { context }) => this.load(context.groupId, context.topic),
    });
  }

  /** The group's committed offsets on `topic`; `skipCache` refetches them. Rejects when Kafka does. */
  async get(groupId: string, topic: string, skipCache = false): Promise<GroupOffsets> {
    const key = JSON.stringify([groupId, topic]);
    const loadsBefore = this.loads;
    const pending = this.cache.fetch(key, {
      forceRefresh: skipCache || this.alwaysRefresh,
      context: { groupId, topic },
    });
    // fetch() starts a load synchronously when it needs one. miss: this call started an admin load;
    // hit: served from the cache, or by a load already in flight.
    this.metrics?.offsetCache(this.loads > loadsBefore ? 'miss' : 'hit');
    const offsets = await pending;
    // Only an aborted load yields undefined; we never abort, but do not answer "no group" for it.
    if (offsets === undefined) throw new Error(`loading the offsets of group ${groupId} on ${topic} was aborted`);
    return offsets;
  }

  private async load(groupId: string, topic: string): Promise<GroupOffsets> {
    this.loads++;
    try {
      return await this.loadFromAdmin(groupId, topic);
    } catch (err) {
      this.metrics?.dependencyError('kafka', 'fetch_group_offsets');
      throw err;
    }
  }

  private async loadFromAdmin(groupId: string, topic: string): Promise<GroupOffsets> {
    const partitions = await this.admin.committedOffsets(groupId, topic);
    const committed = new Map<number, string>();
    for (const { partition, offset } of partitions) {
      if (/^\d+$/.test(offset)) committed.set(partition, offset); // '-1' = nothing committed there
    }
    // A commit proves the group exists. Without one, only its state tells a group that has not
    // committed this topic yet (PENDING) from no group at all (UNKNOWN): fetchOffsets answers -1 for both.
    if (committed.size === 0 && (await this.admin.groupState(groupId)) === 'Dead') return NO_GROUP;
    return { kind: 'committed', committed };
  }
}
