import { Injectable, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import type { Admin } from 'kafkajs';
import { Settings } from '@lib/config';
import { ConsumerLagSample, Metrics } from '@lib/metrics';
import { KafkaClient } from './kafka.client';

/** The two admin calls lag needs (a kafkajs Admin, or a fake in tests). */
export type LagAdmin = Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>;

/**
 * The next offset a group reads on a partition: its committed offset, or - where it has committed nothing (kafkajs:
 * '-1') - the earliest retained one, since our consumers subscribe from the beginning.
 */
export function nextToRead(committed: string | undefined, low: string): bigint {
  return committed !== undefined && /^\d+$/.test(committed) ? BigInt(committed) : BigInt(low);
}

/**
 * Lag of `groupId` on every partition of `topics`: high watermark minus the committed offset. Where
 * the group has committed nothing yet it will start from the earliest retained offset (our consumers
 * subscribe from the beginning), so its lag there is everything retained: high - low.
 * One OffsetFetch for the group plus one ListOffsets per topic.
 */
export async function consumerGroupLag(admin: LagAdmin, groupId: string, topics: string[]): Promise<ConsumerLagSample[]> {
  const [committed, ...ends] = await Promise.all([admin.fetchOffsets({ groupId, topics }), ...topics.map((topic) => admin.fetchTopicOffsets(topic))]);
  return topics.flatMap((topic, i) => {
    const commits = new Map((committed.find((t) => t.topic === topic)?.partitions ?? []).map((p) => [p.partition, p.offset]));
    return ends[i].map(({ partition, high, low }) => {
      const lag = BigInt(high) - nextToRead(commits.get(partition), low);
      return { group: groupId, topic, partition, lag: lag > 0n ? Number(lag) : 0 };
    });
  });
}

/**
 * Feeds `kafka_consumer_lag` from the consumer groups this process runs (each KafkaConsumerService
 * records its group on the KafkaClient). Read at scrape time from the committed offsets - not from
 * the consumer's own fetches, which stop updating exactly when the consumer is stuck - and bounded
 * by HEALTH_TIMEOUT_MS. A process without consumers reports no lag.
 */
@Injectable()
export class ConsumerLagMetrics implements OnModuleInit, OnModuleDestroy {
  private unregister?: () => void;

  constructor(
    private readonly client: KafkaClient,
    private readonly settings: Settings,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  onModuleInit(): void {
    this.unregister = this.metrics?.addConsumerLagSource(() => this.read(), this.settings.healthTimeoutMs);
  }

  onModuleDestroy(): void {
    this.unregister?.();
  }

  async read(): Promise<ConsumerLagSample[]> {
    const groups = [...this.client.consumerGroups];
    if (groups.length === 0) return [];
    const admin = await this.client.getAdmin(this.settings.healthTimeoutMs);
    return (await Promise.all(groups.map(([groupId, topics]) => consumerGroupLag(admin, groupId, topics)))).flat();
  }
}
