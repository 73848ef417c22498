/** Offsets as kafkajs gives them: decimal strings (64-bit; compare as BigInt). */
export interface PartitionOffset {
  partition: number;
  offset: string;
}

/** The retained range of a partition: `low` is the earliest offset, `high` the high watermark (next offset to be written). */
export interface PartitionRange {
  partition: number;
  low: string;
  high: string;
}

/**
 * The admin calls the trace readers make, as a port so that tests can count and fake them.
 * Abstract class: both the type and the Nest token.
 */
export abstract class KafkaAdminPort {
  /** The group's committed offset on every partition of `topic`; '-1' where it has committed nothing. */
  abstract committedOffsets(groupId: string, topic: string): Promise<PartitionOffset[]>;

  /**
   * The group's committed offsets on several topics, by topic, in one request where the client can (kafkajs
   * can): what the offset watcher of waiting traces reads each interval. By default one committedOffsets per topic.
   */
  async committedOffsetsOfTopics(groupId: string, topics: readonly string[]): Promise<Map<string, PartitionOffset[]>> {
    const entries = await Promise.all(topics.map(async (topic): Promise<[string, PartitionOffset[]]> => [topic, await this.committedOffsets(groupId, topic)]));
    return new Map(entries);
  }

  /** The group's state as its coordinator reports it: 'Dead' when no such group exists. */
  abstract groupState(groupId: string): Promise<string>;

  /** Earliest retained offset and high watermark of every partition of `topic`. */
  abstract partitionRanges(topic: string): Promise<PartitionRange[]>;

  /** Per partition, the first offset whose record timestamp is >= `timestamp` (the high watermark when none is). */
  abstract offsetsAtTime(topic: string, timestamp: number): Promise<PartitionOffset[]>;
}
