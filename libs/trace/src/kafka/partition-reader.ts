import { Logger } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { errorMessage } from '@lib/common';
import { ActiveRead } from './active-read';
import { RangeOutcome, RangeRead, RangeReader } from './range-read';

export interface PartitionReaderConfig {
  kafka: Kafka;
  topic: string;
  /** A group of its own: a lone member is assigned every partition of the topic. */
  groupId: string;
  /** How long the consumer sleeps when nothing is to be read (the added latency of a new read). */
  pollMs: number;
  /** Bytes fetched per partition and request. */
  fetchBytes: number;
}

type State = 'new' | 'starting' | 'ready' | 'failed' | 'closed';

/**
 * Reads offset ranges of one topic's partitions with the public kafkajs consumer API only.
 *
 * kafkajs has no manual assignment, so the reader is the only member of a group of its own and is
 * assigned every partition; it never commits, so the group disappears when it leaves. Every
 * partition stays paused unless a read is running on it. A read seeks its partition to the start
 * and resumes it; eachBatch feeds the read until the end offset, a bound or the caller's abort, then
 * the partition is paused again. Batches fetched before a seek took effect (`isStale`) are dropped,
 * as are batches of partitions nobody reads. When the group re-forms (a rebalance), kafkajs restarts
 * every position from the group's commits - none, so the earliest offset: idle partitions are paused
 * again and each running read is re-aimed at its next offset.
 */
export class PartitionReader implements RangeReader {
  private readonly logger: Logger;
  private readonly consumer: Consumer;
  private readonly reads = new Map<number, ActiveRead>();
  private state: State = 'new';
  private failure = '';
  private started?: Promise<void>;
  private joined?: { resolve: () => void; reject: (err: Error) => void };
  /** Group generations joined; batches handed to reads, dropped as stale (fetched before a seek), and fetched for partitions nobody reads. */
  readonly stats = { joins: 0, batches: 0, staleBatches: 0, strayBatches: 0 };

  constructor(private readonly config: PartitionReaderConfig) {
    this.logger = new Logger(`TraceReader ${config.groupId}`);
    this.consumer = config.kafka.consumer({
      groupId: config.groupId,
      allowAutoTopicCreation: false,
      // Read up to the high watermark, which is where a planned range ends; no transactions on these topics anyway.
      readUncommitted: true,
      maxWaitTimeInMs: config.pollMs,
      maxBytesPerPartition: config.fetchBytes,
      maxBytes: Math.max(config.fetchBytes, 10 * 1024 * 1024),
      // A crashed reader stays down; the pool replaces it with a fresh one on the next read.
      retry: { retries: 5, restartOnFailure: async () => false },
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => this.onJoin(e.payload.memberAssignment[config.topic] ?? []));
    this.consumer.on(this.consumer.events.CRASH, (e) => this.fail(`Kafka consumer crashed: ${errorMessage(e.payload.error)}`));
  }

  get groupId(): string {
    return this.config.groupId;
  }

  get usable(): boolean {
    return this.state === 'new' || this.state === 'starting' || this.state === 'ready';
  }

  start(): Promise<void> {
    this.started ??= this.connectAndJoin();
    return this.started;
  }

  read(request: RangeRead): Promise<RangeOutcome> {
    const { partition, start, end } = request;
    if (this.state !== 'ready') {
      return Promise.resolve({ kind: 'failed', reason: this.failure || `reader is ${this.state}`, read: 0, next: start });
    }
    if (this.reads.has(partition)) throw new Error(`partition ${partition} of ${this.config.topic} is already being read`);
    if (start >= end) return Promise.resolve({ kind: 'complete', read: 0, next: start });

    return new Promise((resolve) => {
      const read = new ActiveRead(request, (outcome) => {
        if (this.reads.get(partition) === read) this.reads.delete(partition);
        this.pause(partition);
        resolve(outcome);
      });
      if (read.finished) return; // aborted before it began
      this.reads.set(partition, read);
      // Both take effect at the consumer's next fetch; the seek also marks batches already fetched as stale.
      this.consumer.seek({ topic: this.config.topic, partition, offset: start.toString() });
      this.consumer.resume([{ topic: this.config.topic, partitions: [partition] }]);
    });
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.endReads('reader closed');
    // A join in progress stops waiting for its group and disconnects; let it finish that first,
    // since disconnecting under it could leave it to reconnect.
    this.joined?.reject(new Error('reader closed'));
    await this.started?.catch(() => undefined);
    await this.consumer.disconnect().catch((err) => this.logger.warn(`disconnect failed: ${errorMessage(err)}`));
  }

  private async connectAndJoin(): Promise<void> {
    this.state = 'starting';
    const joined = new Promise<void>((resolve, reject) => (this.joined = { resolve, reject }));
    joined.catch(() => undefined); // observed below; avoid an unhandled rejection if connect throws first
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [this.config.topic], fromBeginning: true });
      await this.consumer.run({ autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
      await joined;
    } catch (err) {
      this.fail(`Kafka consumer could not join: ${errorMessage(err)}`);
      await this.consumer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  /** Runs synchronously inside kafkajs' join, before the first fetch of the new generation. */
  private onJoin(assigned: number[]): void {
    if (this.state === 'closed' || this.state === 'failed') return;
    this.stats.joins++;
    const idle = assigned.filter((p) => !this.reads.has(p));
    if (idle.length > 0) this.consumer.pause([{ topic: this.config.topic, partitions: idle }]);
    for (const read of this.reads.values()) {
      this.consumer.seek({ topic: this.config.topic, partition: read.partition, offset: read.next.toString() });
    }
    this.state = 'ready';
    this.joined?.resolve();
  }

  private async onBatch({ batch, isStale }: EachBatchPayload): Promise<void> {
    const read = this.reads.get(batch.partition); // one topic per reader
    if (read === undefined) {
      // Fetched although nobody reads it (its read just ended, or a partition new to us): keep it stopped.
      this.stats.strayBatches++;
      this.pause(batch.partition);
      return;
    }
    if (isStale()) {
      this.stats.staleBatches++; // fetched before the read's seek took effect
      return;
    }
    this.stats.batches++;
    read.take(batch.messages, batch.firstOffset(), batch.lastOffset());
  }

  private pause(partition: number): void {
    if (this.state !== 'ready') return; // stopped consumers have nothing to pause (kafkajs throws)
    this.consumer.pause([{ topic: this.config.topic, partitions: [partition] }]);
  }

  private fail(reason: string): void {
    if (this.state === 'closed' || this.state === 'failed') return;
    this.state = 'failed';
    this.failure = reason;
    this.logger.warn(reason);
    this.endReads(reason);
    this.joined?.reject(new Error(reason));
  }

  private endReads(reason: string): void {
    for (const read of [...this.reads.values()]) read.end({ kind: 'failed', reason });
    this.reads.clear();
  }
}
