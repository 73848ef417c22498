import { Injectable } from '@nestjs/common';
import { KafkaClient } from '@lib/kafka';
import { KafkaAdminPort, PartitionOffset, PartitionRange } from './kafka-admin.port';

/** KafkaAdminPort over the shared kafkajs admin of KafkaClient. */
@Injectable()
export class KafkajsAdmin extends KafkaAdminPort {
  constructor(private readonly client: KafkaClient) {
    super();
  }

  async committedOffsets(groupId: string, topic: string): Promise<PartitionOffset[]> {
    const admin = await this.client.getAdmin();
    const topics = await admin.fetchOffsets({ groupId, topics: [topic] });
    const found = topics.find((t) => t.topic === topic);
    return (found?.partitions ?? []).map(({ partition, offset }) => ({ partition, offset }));
  }

  override async committedOffsetsOfTopics(groupId: string, topics: readonly string[]): Promise<Map<string, PartitionOffset[]>> {
    const admin = await this.client.getAdmin();
    const found = await admin.fetchOffsets({ groupId, topics: [...topics] });
    return new Map(
      topics.map((topic) => [topic, (found.find((t) => t.topic === topic)?.partitions ?? []).map(({ partition, offset }) => ({ partition, offset }))]),
    );
  }

  async groupState(groupId: string): Promise<string> {
    const admin = await this.client.getAdmin();
    const { groups } = await admin.describeGroups([groupId]);
    return groups.find((g) => g.groupId === groupId)?.state ?? 'Dead';
  }

  async partitionRanges(topic: string): Promise<PartitionRange[]> {
    const admin = await this.client.getAdmin();
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map(({ partition, low, high }) => ({ partition, low, high }));
  }

  async offsetsAtTime(topic: string, timestamp: number): Promise<PartitionOffset[]> {
    const admin = await this.client.getAdmin();
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
    return offsets.map(({ partition, offset }) => ({ partition, offset }));
  }
}
