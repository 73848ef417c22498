import { PartitionOffset, PartitionRange } from './kafka-admin.port';

/** The offsets [start, end) of a partition where a trace's message can be. */
export interface ScanWindow {
  partition: number;
  start: bigint;
  end: bigint;
}

/** Where to look on every partition of a topic for one trace; planned once per topic and call. */
export interface TopicScan {
  topic: string;
  /** The topic's partition count, which the producer's partitioner used. */
  partitions: number;
  windows: ReadonlyMap<number, ScanWindow>;
}

/**
 * Each window ends at the high watermark (nothing written after the plan matters) and starts at the
 * first offset stamped no earlier than the trace's time less the skew margin, or at the earliest
 * retained offset when the trace has no time. Never before the earliest retained offset: seeking
 * there would make kafkajs reset the position, committing an offset for the reader's group.
 */
export function planTopicScan(topic: string, ranges: PartitionRange[], atTime?: PartitionOffset[]): TopicScan {
  const timed = new Map((atTime ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  const windows = new Map<number, ScanWindow>();
  for (const { partition, low, high } of ranges) {
    const end = BigInt(high);
    const earliest = BigInt(low);
    const fromTime = timed.get(partition);
    const start = max(earliest, fromTime !== undefined && fromTime >= 0n ? fromTime : earliest);
    windows.set(partition, { partition, start: start > end ? end : start, end });
  }
  return { topic, partitions: ranges.length, windows };
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
