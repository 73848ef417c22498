import { KafkaAdminPort, PartitionOffset, PartitionRange } from '../kafka-admin.port';

/** A scripted admin for unit tests; counts every call. */
export class FakeAdmin extends KafkaAdminPort {
  /** groupId -> topic -> committed offset per partition ('-1' = none). */
  commits = new Map<string, Record<string, string[]>>();
  /** groupId -> state; absent groups are 'Dead'. */
  states = new Map<string, string>();
  ranges = new Map<string, PartitionRange[]>();
  atTime = new Map<string, PartitionOffset[]>();
  calls: string[] = [];
  /** Makes the next calls fail with this error. */
  failWith?: Error;
  /** Delays every answer (ms), to let calls overlap. */
  delayMs = 0;

  count(prefix: string): number {
    return this.calls.filter((c) => c.startsWith(prefix)).length;
  }

  async committedOffsets(groupId: string, topic: string): Promise<PartitionOffset[]> {
    await this.answer(`committedOffsets ${groupId} ${topic}`);
    const offsets = this.commits.get(groupId)?.[topic] ?? ['-1', '-1', '-1'];
    return offsets.map((offset, partition) => ({ partition, offset }));
  }

  async groupState(groupId: string): Promise<string> {
    await this.answer(`groupState ${groupId}`);
    return this.states.get(groupId) ?? 'Dead';
  }

  async partitionRanges(topic: string): Promise<PartitionRange[]> {
    await this.answer(`partitionRanges ${topic}`);
    const ranges = this.ranges.get(topic);
    if (!ranges) throw new Error('This server does not host this topic-partition');
    return ranges;
  }

  async offsetsAtTime(topic: string, timestamp: number): Promise<PartitionOffset[]> {
    await this.answer(`offsetsAtTime ${topic} ${timestamp}`);
    return this.atTime.get(topic) ?? [];
  }

  private async answer(call: string): Promise<void> {
    this.calls.push(call);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs).unref());
    if (this.failWith) throw this.failWith;
  }
}
