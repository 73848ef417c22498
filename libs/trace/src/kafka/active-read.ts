import { KafkaMessage } from 'kafkajs';
import { RangeEnd, RangeOutcome, RangeRead } from './range-read';

/**
 * The progress of one RangeRead: which offset comes next, how many messages were read, and its
 * bounds. Fed batches by the reader's consumer; ends exactly once, whatever ends it first (the
 * range's end, onMessage, a bound, the caller's abort or the reader failing).
 */
export class ActiveRead {
  next: bigint;
  private count = 0;
  private done = false;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = () => this.end({ kind: 'aborted' });

  constructor(
    private readonly request: RangeRead,
    private readonly onEnd: (outcome: RangeOutcome) => void,
  ) {
    this.next = request.start;
    this.timer = setTimeout(
      () => this.end({ kind: 'bounded', reason: `read ${this.count} messages in ${request.maxMillis} ms without reaching offset ${request.end}` }),
      request.maxMillis,
    );
    this.timer.unref();
    request.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (request.signal?.aborted) this.onAbort();
  }

  get partition(): number {
    return this.request.partition;
  }

  get finished(): boolean {
    return this.done;
  }

  /** One fetched batch of the partition, in offset order; `firstOffset`/`lastOffset` include records kafkajs filtered out. */
  take(messages: KafkaMessage[], firstOffset: string | null, lastOffset: string): void {
    const coversNext = firstOffset !== null && BigInt(firstOffset) <= this.next;
    for (const message of messages) {
      if (this.done) return;
      const offset = BigInt(message.offset);
      // Before our position: a batch fetched again from an older position (a new group generation restarts there).
      if (offset < this.next) continue;
      if (offset >= this.request.end) return this.end({ kind: 'complete' });
      this.next = offset + 1n;
      this.count++;
      if (this.handle(message, offset)) return this.end({ kind: 'stopped' });
      if (this.next >= this.request.end) return this.end({ kind: 'complete' });
      if (this.count >= this.request.maxMessages) {
        return this.end({ kind: 'bounded', reason: `read ${this.count} messages (the limit) without reaching offset ${this.request.end}` });
      }
    }
    // Offsets can be skipped by records kafkajs never hands over (transaction markers, aborted
    // records), so a batch that started at or before our position also proves progress to its last offset.
    if (!this.done && coversNext && BigInt(lastOffset) + 1n >= this.request.end) this.end({ kind: 'complete' });
  }

  end(how: RangeEnd): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.request.signal?.removeEventListener('abort', this.onAbort);
    this.onEnd({ ...how, read: this.count, next: this.next });
  }

  /** True when onMessage asked to stop; a throwing onMessage ends the read as failed. */
  private handle(message: KafkaMessage, offset: bigint): boolean {
    try {
      return this.request.onMessage(message);
    } catch (err) {
      this.end({ kind: 'failed', reason: `handling offset ${offset} failed: ${err instanceof Error ? err.message : String(err)}` });
      return false;
    }
  }
}
