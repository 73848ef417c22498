import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { Admin, AssignerProtocol } from 'kafkajs';
import { errorMessage } from '@lib/common';
import { Metrics } from '@lib/metrics';
import { LagState, judgePartition, PartitionSample } from './consumer-state';
import { nextToRead } from '../consumer-lag';

/** The admin calls one sample makes (a kafkajs Admin, or a fake in unit tests). */
export type MonitorAdmin = Pick<Admin, 'listTopics' | 'fetchOffsets' | 'fetchTopicOffsets' | 'describeGroups'>;

/** Injection tokens: how the monitor reaches Kafka, and what it watches how often. */
export const MONITOR_ADMIN = Symbol('MONITOR_ADMIN');
export const MONITOR_OPTIONS = Symbol('MONITOR_OPTIONS');

export interface WatchedGroup {
  groupId: string;
  topics: string[];
}

export interface MonitorOptions {
  groups: WatchedGroup[];
  /** CONSUMER_MONITOR_INTERVAL_MS: one sample of every group this often. */
  intervalMs: number;
  /** CONSUMER_MONITOR_WINDOW: samples in the sliding window the states are judged over. */
  windowSize: number;
}

/** One partition as the latest sample and its window see it. */
export interface PartitionView {
  topic: string;
  partition: number;
  /** Next offset the group will read ('-1' never happens here: a partition without commits counts from its earliest offset). */
  committedOffset: string;
  /** The high watermark: the next offset to be written. */
  endOffset: string;
  lag: number;
  /** Client id of the member the partition is assigned to; absent when none is. */
  member?: string;
  /** Messages committed per second over the window. */
  rate: number;
  state: LagState;
}

export interface GroupView {
  groupId: string;
  /** The coordinator's state of the group (Stable, Empty, PreparingRebalance, Dead, ...). */
  groupState: string;
  members: number;
  /** Sum over the partitions. */
  lag: number;
  /** Sum over the partitions (messages per second). */
  rate: number;
  /** The worst state of any partition (STOPPED > STALLED > BEHIND > OK). */
  state: LagState;
  partitions: PartitionView[];
}

export interface ConsumersView {
  /** When the latest sample was taken (ISO 8601); absent before the first one. */
  sampledAt?: string;
  intervalMs: number;
  windowSize: number;
  /** Why the latest sample failed, when it did: the figures are then those of the last good one. */
  error?: string;
  groups: GroupView[];
}

const SEVERITY: Record<LagState, number> = { OK: 0, BEHIND: 1, STALLED: 2, STOPPED: 3 };

/**
 * Follows the consumer groups of the pipeline (MCE on the proposal topic, MAE on the change-log topics):
 * every interval, one Metadata request, per group one OffsetFetch and one DescribeGroups, and one ListOffsets per
 * topic, kept in a
 * sliding window per partition. From it: lag, consumption rate and state (consumer-state.ts) - what
 * `GET /openapi/v1/consumers`, the PENDING details of a trace, backpressure and the consumer_group_* gauges
 * all read, so they always agree. One monitor per process; it makes no request before the application starts.
 */
@Injectable()
export class ConsumerGroupMonitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ConsumerGroupMonitor.name);
  /** group -> topic -> partition -> samples, oldest first. */
  private readonly windows = new Map<string, Map<string, Map<number, PartitionSample[]>>>();
  private readonly groupInfo = new Map<string, { state: string; members: number; assigned: Map<string, string> }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private sampledAt: number | undefined;
  private lastError: string | undefined;
  private current: ConsumersView;

  constructor(
    @Inject(MONITOR_ADMIN) private readonly admin: () => Promise<MonitorAdmin>,
    @Inject(MONITOR_OPTIONS) private readonly options: MonitorOptions,
    @Optional() private readonly metrics?: Metrics,
  ) {
    this.current = this.build();
  }

  onApplicationBootstrap(): void {
    void this.loop();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Everything the latest samples say. */
  view(): ConsumersView {
    return this.current;
  }

  /** One partition of one group, or undefined when it has not been sampled. */
  partition(groupId: string, topic: string, partition: number): (PartitionView & { groupMembers: number }) | undefined {
    const group = this.current.groups.find((g) => g.groupId === groupId);
    const found = group?.partitions.find((p) => p.topic === topic && p.partition === partition);
    return group && found ? { ...found, groupMembers: group.members } : undefined;
  }

  /** One group, or undefined when it is not watched or not sampled yet. */
  group(groupId: string): GroupView | undefined {
    return this.sampledAt === undefined ? undefined : this.current.groups.find((g) => g.groupId === groupId);
  }

  /** Takes one sample of every group now (the loop calls it each interval; tests call it directly). */
  async sample(): Promise<void> {
    const now = Date.now();
    try {
      const admin = await this.admin();
      // Only topics that exist: asking kafkajs for the offsets of a missing one makes the broker auto-create it
      // (with its default partitions) and keeps the shared admin's metadata failing while the setup creates it.
      const existing = new Set(await admin.listTopics());
      const topicsOf = (g: WatchedGroup): string[] => g.topics.filter((t) => existing.has(t));
      const topics = [...new Set(this.options.groups.flatMap(topicsOf))];
      const [ends, described, ...committed] = await Promise.all([
        Promise.all(topics.map(async (topic) => [topic, await admin.fetchTopicOffsets(topic)] as const)),
        admin.describeGroups(this.options.groups.map((g) => g.groupId)),
        ...this.options.groups.map((g) => (topicsOf(g).length > 0 ? admin.fetchOffsets({ groupId: g.groupId, topics: topicsOf(g) }) : Promise.resolve([]))),
      ]);
      const endsByTopic = new Map(ends);
      this.options.groups.forEach((g, i) => {
        const description = described.groups.find((d) => d.groupId === g.groupId);
        this.groupInfo.set(g.groupId, {
          state: description?.state ?? 'Dead',
          members: description?.members.length ?? 0,
          assigned: assignments(description?.members ?? []),
        });
        const byTopic = this.windows.get(g.groupId) ?? new Map<string, Map<number, PartitionSample[]>>();
        this.windows.set(g.groupId, byTopic);
        for (const topic of topicsOf(g)) {
          const commits = new Map((committed[i].find((t) => t.topic === topic)?.partitions ?? []).map((p) => [p.partition, p.offset]));
          const byPartition = byTopic.get(topic) ?? new Map<number, PartitionSample[]>();
          byTopic.set(topic, byPartition);
          for (const { partition, low, high } of endsByTopic.get(topic) ?? []) {
            const window = byPartition.get(partition) ?? [];
            window.push({ at: now, committed: nextToRead(commits.get(partition), low), end: BigInt(high) });
            if (window.length > this.options.windowSize) window.splice(0, window.length - this.options.windowSize);
            byPartition.set(partition, window);
          }
        }
      });
      this.sampledAt = now;
      this.lastError = undefined;
    } catch (e) {
      this.metrics?.dependencyError('kafka', 'consumer_monitor');
      const message = errorMessage(e);
      if (message !== this.lastError) this.logger.warn(`consumer groups not sampled: ${message}`);
      this.lastError = message;
    }
    this.current = this.build();
    this.metrics?.recordConsumerGroups(this.current.groups);
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    await this.sample();
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.loop(), this.options.intervalMs);
    this.timer.unref?.();
  }

  private build(): ConsumersView {
    const groups = this.options.groups.map((g): GroupView => {
      const info = this.groupInfo.get(g.groupId) ?? { state: 'Unknown', members: 0, assigned: new Map<string, string>() };
      const partitions: PartitionView[] = [];
      for (const [topic, byPartition] of this.windows.get(g.groupId) ?? []) {
        for (const [partition, window] of [...byPartition].sort(([a], [b]) => a - b)) {
          const last = window[window.length - 1];
          const judged = judgePartition(window, this.options.windowSize, info.members);
          const member = info.assigned.get(`${topic}\u0000${partition}`);
          partitions.push({
            topic,
            partition,
            committedOffset: String(last.committed),
            endOffset: String(last.end),
            lag: judged.lag,
            ...(member !== undefined ? { member } : {}),
            rate: round(judged.rate),
            state: judged.state,
          });
        }
      }
      const state = partitions.reduce<LagState>(
        (worst, p) => (SEVERITY[p.state] > SEVERITY[worst] ? p.state : worst),
        info.members === 0 ? LagState.STOPPED : LagState.OK,
      );
      return {
        groupId: g.groupId,
        groupState: info.state,
        members: info.members,
        lag: partitions.reduce((sum, p) => sum + p.lag, 0),
        rate: round(partitions.reduce((sum, p) => sum + p.rate, 0)),
        state,
        partitions,
      };
    });
    return {
      ...(this.sampledAt !== undefined ? { sampledAt: new Date(this.sampledAt).toISOString() } : {}),
      intervalMs: this.options.intervalMs,
      windowSize: this.options.windowSize,
      ...(this.lastError !== undefined ? { error: this.lastError } : {}),
      groups,
    };
  }
}

/** `topic partition` -> the client id of the member it is assigned to, from the members' assignments. */
function assignments(members: { clientId: string; memberAssignment: Buffer }[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of members) {
    if (!m.memberAssignment?.length) continue;
    try {
      const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      for (const [topic, partitions] of Object.entries(decoded?.assignment ?? {})) {
        for (const p of partitions) out.set(`${topic}\u0000${p}`, m.clientId);
      }
    } catch {
      // Another client's assignment format: the partition just shows no member.
    }
  }
  return out;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
