import { Logger } from '@nestjs/common';
import { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { chunksBySize, errorMessage, retryForever } from '@lib/common';

import { BatchHandler, PoisonGuard, PoisonPolicy } from './poison-guard';

export type { BatchHandler, ConsumedBatch, PoisonPolicy } from './poison-guard';

export interface ConsumerTuning {
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** Batches of different partitions processed at once. */
  partitionsConcurrency: number;
  /** Longest a fetch waits for `fetchMinBytes` (so no message waits longer for its batch). */
  batchMaxWaitMs?: number;
  fetchMinBytes?: number;
  /** Most bytes fetched per partition, and most bytes of message values handed to the handler at once. */
  batchMaxBytes?: number;
  /** Most messages handed to the handler at once; a larger fetch is handled, committed and heartbeated in slices. */
  batchMaxMessages?: number;
}

/**
 * Consecutive slices of a fetched batch, each within `maxMessages` and `maxBytes` of values (a single larger
 * message is a slice of its own). Each slice is handled and committed before the next, so the work between
 * two heartbeats stays bounded however far behind the consumer is.
 */
export function slices(messages: KafkaMessage[], maxMessages = Infinity, maxBytes = Infinity): KafkaMessage[][] {
  return chunksBySize(messages, (m) => m.value?.length ?? 0, maxBytes, maxMessages);
}

export interface ConsumerState {
  groupId: string;
  running: boolean;
  joined: boolean;
  memberId?: string;
  assignment: Record<string, number[]>;
  lastError?: string;
}

/**
 * A plain kafkajs consumer with the commit point made explicit: a batch's offset is committed
 * only after its handler returned, so a crash or an outage redelivers rather than loses.
 * New groups start from the earliest offset.
 */
export class ConsumerRunner {
  private readonly logger: Logger;
  private consumer?: Consumer;
  private stopping = false;
  private readonly state: ConsumerState;
  private readonly guard?: PoisonGuard;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly topics: string[],
    private readonly handler: BatchHandler,
    private readonly tuning: ConsumerTuning = { sessionTimeoutMs: 30000, rebalanceTimeoutMs: 60000, partitionsConcurrency: 1 },
    /** Without it, a batch that fails is retried as long as it fails (a message that can never be processed wedges its partition). */
    poison?: PoisonPolicy,
  ) {
    this.logger = new Logger(`Consumer ${groupId}`);
    this.state = { groupId, running: false, joined: false, assignment: {} };
    if (poison) this.guard = new PoisonGuard(handler, poison, groupId, () => this.stopping);
  }

  snapshot(): ConsumerState {
    return { ...this.state, assignment: { ...this.state.assignment } };
  }

  /** Connects and runs in the background, retrying with backoff while Kafka is unreachable. */
  start(): void {
    void retryForever(() => this.run(), {
      initialDelayMs: 500,
      maxDelayMs: 15000,
      stopped: () => this.stopping,
      onFailure: (err, attempt, next) => {
        this.state.lastError = errorMessage(err);
        this.logger.warn(`start attempt ${attempt} failed (${this.state.lastError}); retrying in ${next} ms`);
      },
    });
  }

  private async run(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.tuning.sessionTimeoutMs,
      rebalanceTimeout: this.tuning.rebalanceTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(this.tuning.sessionTimeoutMs / 3)),
      ...(this.tuning.batchMaxWaitMs !== undefined ? { maxWaitTimeInMs: this.tuning.batchMaxWaitMs } : {}),
      ...(this.tuning.fetchMinBytes !== undefined ? { minBytes: this.tuning.fetchMinBytes } : {}),
      ...(this.tuning.batchMaxBytes !== undefined ? { maxBytesPerPartition: this.tuning.batchMaxBytes } : {}),
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10000, restartOnFailure: async () => !this.stopping },
    });
    const { GROUP_JOIN, CRASH, STOP, DISCONNECT } = consumer.events;
    consumer.on(GROUP_JOIN, (e) => {
      this.state.joined = true;
      this.state.memberId = e.payload.memberId;
      this.state.assignment = e.payload.memberAssignment;
      this.state.lastError = undefined;
      this.logger.log(`joined group, assignment ${JSON.stringify(e.payload.memberAssignment)}`);
    });
    consumer.on(CRASH, (e) => {
      this.state.joined = false;
      this.state.lastError = errorMessage(e.payload.error);
      this.logger.error(`crashed: ${this.state.lastError} (restart: ${e.payload.restart})`);
      // kafkajs gives up on errors it deems unrecoverable; a consumer must never stay dead, so start afresh.
      if (!e.payload.restart && !this.stopping) {
        this.consumer = undefined;
        void consumer
          .disconnect()
          .catch(() => undefined)
          .finally(() => this.start());
      }
    });
    consumer.on(STOP, () => (this.state.joined = false));
    consumer.on(DISCONNECT, () => (this.state.joined = false));
    this.consumer = consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: this.topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        // Partitions are independent (a URN lives on one): several batches may run at once, each partition in order.
        partitionsConsumedConcurrently: this.tuning.partitionsConcurrency,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          for (const messages of slices(batch.messages, this.tuning.batchMaxMessages, this.tuning.batchMaxBytes)) {
            // A partition lost in a rebalance is no longer ours to write: its new owner starts from our last commit.
            if (!isRunning() || isStale()) return;
            const slice = { topic: batch.topic, partition: batch.partition, messages };
            await (this.guard ? this.guard.handle(slice, heartbeat) : this.handler(slice));
            const last = messages[messages.length - 1].offset;
            resolveOffset(last);
            await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
            await heartbeat();
          }
        },
      });
      this.state.running = true;
    } catch (err) {
      this.consumer = undefined;
      await consumer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  /** Leaves the group after the batch in flight (if any) finished and was committed. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.state.running = false;
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer) await consumer.disconnect().catch((err) => this.logger.warn(`disconnect failed: ${errorMessage(err)}`));
  }
}
