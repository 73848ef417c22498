import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { errorMessage } from '@lib/common';
import { RangeEnd, RangeOutcome, RangeRead, RangeReader, RangeReaderFactory } from './range-read';
import { TRACE_KAFKA_OPTIONS, TraceKafkaOptions } from './trace-kafka-options';

interface Slot {
  reader: RangeReader;
  /** Partitions with a read running on this reader: a reader reads a partition for one caller at a time. */
  busy: Set<number>;
  ready: Promise<void>;
}

/**
 * Long-lived readers per topic, made on first use and shared by every request: joining a group costs
 * a few round trips, and a group per request would litter the cluster. One reader reads several
 * partitions at once; a second one is made only when two reads want the same partition together,
 * up to `readersPerTopic`, after which callers queue. A reader that fails is dropped and replaced.
 */
@Injectable()
export class ReaderPool implements OnModuleDestroy {
  private readonly slots = new Map<string, Slot[]>();
  private readonly waiting = new Set<() => void>();
  private readonly closing = new Set<Promise<void>>();
  private readonly perTopic: number;
  private closed = false;

  constructor(
    private readonly factory: RangeReaderFactory,
    @Inject(TRACE_KAFKA_OPTIONS) options: TraceKafkaOptions,
  ) {
    this.perTopic = Math.max(1, options.readersPerTopic);
  }

  /** Runs `request` on a reader of `topic`. Never throws for Kafka trouble: it is in the outcome. */
  async read(topic: string, request: RangeRead): Promise<RangeOutcome> {
    const slot = await this.acquire(topic, request.partition, request.signal);
    if (!('reader' in slot)) return { ...slot, read: 0, next: request.start };
    try {
      return await slot.reader.read(request);
    } finally {
      slot.busy.delete(request.partition);
      if (!slot.reader.usable) this.discard(topic, slot);
      this.wake();
    }
  }

  /** Readers currently kept for `topic` (for health and tests). */
  readerCount(topic: string): number {
    return this.slots.get(topic)?.length ?? 0;
  }

  /** Leaves every reader's group and waits until all have disconnected. */
  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    this.wake();
    for (const [topic, slots] of this.slots) for (const slot of [...slots]) this.discard(topic, slot);
    await Promise.allSettled([...this.closing]);
  }

  private async acquire(topic: string, partition: number, signal?: AbortSignal): Promise<Slot | RangeEnd> {
    for (;;) {
      if (this.closed) return { kind: 'failed', reason: 'Kafka reader pool is closed' };
      if (signal?.aborted) return { kind: 'aborted' };
      const slot = this.freeSlot(topic, partition) ?? this.newSlot(topic);
      if (slot === undefined) {
        if (!(await this.nextRelease(signal))) return { kind: 'aborted' };
        continue;
      }
      slot.busy.add(partition); // claimed before any await, so no other caller can take it
      const started = await settle(slot.ready, signal);
      if (started.kind === 'ready') return slot;
      slot.busy.delete(partition);
      this.wake();
      if (started.kind === 'aborted') return { kind: 'aborted' };
      this.discard(topic, slot);
      return { kind: 'failed', reason: `Kafka reader for ${topic} could not start: ${errorMessage(started.error)}` };
    }
  }

  /** The least busy usable reader of `topic` not reading `partition`; drops failed idle readers on the way. */
  private freeSlot(topic: string, partition: number): Slot | undefined {
    const slots = this.slots.get(topic) ?? [];
    for (const slot of slots.filter((s) => !s.reader.usable && s.busy.size === 0)) this.discard(topic, slot);
    return (this.slots.get(topic) ?? []).filter((s) => s.reader.usable && !s.busy.has(partition)).sort((a, b) => a.busy.size - b.busy.size)[0];
  }

  private newSlot(topic: string): Slot | undefined {
    const slots = this.slots.get(topic) ?? [];
    if (slots.length >= this.perTopic) return undefined;
    const reader = this.factory.create(topic);
    const ready = reader.start();
    ready.catch(() => undefined); // reported to whoever awaits it
    const slot: Slot = { reader, busy: new Set(), ready };
    this.slots.set(topic, [...slots, slot]);
    return slot;
  }

  private discard(topic: string, slot: Slot): void {
    const slots = (this.slots.get(topic) ?? []).filter((s) => s !== slot);
    if (slots.length > 0) this.slots.set(topic, slots);
    else this.slots.delete(topic);
    const closing = slot.reader.close().catch(() => undefined);
    this.closing.add(closing);
    void closing.finally(() => this.closing.delete(closing));
  }

  /** Resolves true when some read ends (or a reader goes), false when `signal` aborts first. */
  private nextRelease(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (released: boolean) => {
        this.waiting.delete(onRelease);
        signal?.removeEventListener('abort', onAbort);
        resolve(released);
      };
      const onRelease = () => done(true);
      const onAbort = () => done(false);
      this.waiting.add(onRelease);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiting]) waiter();
  }
}

type Started = { kind: 'ready' } | { kind: 'aborted' } | { kind: 'error'; error: unknown };

/** Waits for a reader to be ready, unless `signal` aborts first. */
function settle(ready: Promise<void>, signal?: AbortSignal): Promise<Started> {
  if (signal?.aborted) return Promise.resolve({ kind: 'aborted' });
  return new Promise((resolve) => {
    const onAbort = () => resolve({ kind: 'aborted' });
    signal?.addEventListener('abort', onAbort, { once: true });
    ready
      .then(
        () => resolve({ kind: 'ready' }),
        (error: unknown) => resolve({ kind: 'error', error }),
      )
      .finally(() => signal?.removeEventListener('abort', onAbort));
  });
}
