import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'timers/promises';
import { KafkaMessage } from 'kafkajs';
import { errorMessage, isDependencyFault } from '@lib/common';

/** One partition's messages, handed to a consumer's handler. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
}

/** Processes one batch of one partition; throwing means "not done": nothing is committed and the batch is redelivered. */
export type BatchHandler = (batch: ConsumedBatch) => Promise<void>;

/** What a consumer does with a message it can never process (see PoisonGuard). */
export interface PoisonPolicy {
  /** Tries of a batch failing with an error that is not a dependency fault (CONSUMER_POISON_ATTEMPTS). */
  attempts: number;
  /** Pause before the first retry; it doubles at each try (CONSUMER_POISON_BACKOFF_MS). */
  backoffMs: number;
  /** Throws while a dependency the handler needs is down: then nothing is dead-lettered and the batch is retried. */
  probe(): Promise<void>;
  /** Records the message, with the error, where it can be found and traced (the consumer's failed topic). Throwing: not recorded, retried. */
  deadLetter(batch: ConsumedBatch, err: Error): Promise<void>;
}

/**
 * Keeps one message that can never be processed from wedging its partition, without ever giving up on a write
 * because a dependency is down. A batch whose handler throws a dependency fault (isDependencyFault) is thrown on
 * at once: the consumer retries it with backoff, for as long as the fault lasts. Any other error is retried
 * `attempts` times with a doubling pause; if it persists, the batch is split in halves, each handled alone (in
 * order, so a URN's writes keep theirs), down to the single message that fails. That message is tried
 * `attempts` times more; then, once `probe` says the dependencies answer (so the fault is the message's),
 * it goes to the dead-letter topic with its exception and the partition moves on. Handlers are idempotent, so
 * handling a message of a failed batch again is harmless.
 */
export class PoisonGuard {
  private readonly logger: Logger;

  constructor(
    private readonly handler: BatchHandler,
    private readonly policy: PoisonPolicy,
    name: string,
    /** The consumer is stopping: give up retrying (the batch is not committed and is redelivered). */
    private readonly stopping: () => boolean = () => false,
    private readonly onDeadLetter: (batch: ConsumedBatch, err: Error) => void = () => undefined,
  ) {
    this.logger = new Logger(`PoisonGuard ${name}`);
  }

  /** Handles the batch; `heartbeat` keeps the group membership while retries take time. */
  handle(batch: ConsumedBatch, heartbeat: () => Promise<void> = () => Promise.resolve()): Promise<void> {
    return this.tryBatch(batch, this.policy.attempts, heartbeat);
  }

  private async tryBatch(batch: ConsumedBatch, attempts: number, heartbeat: () => Promise<void>): Promise<void> {
    const tries = batch.messages.length === 1 ? this.policy.attempts : attempts;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.handler(batch);
        return;
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        if (isDependencyFault(err) || this.stopping()) throw err;
        const where = describe(batch);
        if (attempt < tries) {
          const pause = this.policy.backoffMs * 2 ** (attempt - 1);
          this.logger.warn(`${where} failed (try ${attempt} of ${tries}): ${errorMessage(err)}; trying again in ${pause} ms`);
          await sleep(pause);
          await heartbeat();
          continue;
        }
        if (batch.messages.length > 1) {
          this.logger.warn(`${where} failed ${tries} times with ${errorMessage(err)}; handling its halves alone to find the message at fault`);
          const half = Math.ceil(batch.messages.length / 2);
          // Each half is tried once: the failure already persisted; a single message is tried `attempts` times.
          await this.tryBatch({ ...batch, messages: batch.messages.slice(0, half) }, 1, heartbeat);
          await heartbeat();
          await this.tryBatch({ ...batch, messages: batch.messages.slice(half) }, 1, heartbeat);
          return;
        }
        // A dependency down with an error we did not recognise would fail here too: then it is not the message's fault.
        await this.policy.probe();
        this.logger.error(`${where} cannot be processed (${tries} tries): ${err.name}: ${errorMessage(err)}; sent to the dead-letter topic, moving on`);
        await this.policy.deadLetter(batch, err);
        this.onDeadLetter(batch, err);
        return;
      }
    }
  }
}

function describe(batch: ConsumedBatch): string {
  const first = batch.messages[0]?.offset;
  const last = batch.messages[batch.messages.length - 1]?.offset;
  return `${batch.topic}[${batch.partition}]@${first === last ? first : `${first}..${last}`}`;
}
