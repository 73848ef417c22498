import { Inject, Injectable } from '@nestjs/common';
import { KafkaAdminPort } from './kafka-admin.port';
import { RangeOutcome } from './range-read';
import { ReaderPool } from './reader-pool';
import { planTopicScan, TopicScan } from './topic-scan';
import { TraceTarget, traceMatcher } from './trace-message';
import { TRACE_KAFKA_OPTIONS, TraceKafkaOptions } from './trace-kafka-options';

/** Where the trace's write of one aspect is on the partition. */
export type LocatedMessage =
  | { kind: 'found'; offset: string; /** record timestamp, epoch ms */ timestamp: number; /** parsed value */ value: unknown }
  /** The whole window was read and the write is not in it. */
  | { kind: 'not-found' }
  /** The window could not be read to its end: a bound, the caller's deadline, or Kafka. */
  | { kind: 'failed'; reason: string };

export interface LocateRequest extends TraceTarget {
  scan: TopicScan;
  /** The URN's partition (partitionForKey). */
  partition: number;
  /** Aborting abandons the read; its reason (an Error or text) becomes the failure reason. */
  signal?: AbortSignal;
}

export interface LocateResult {
  byAspect: Map<string, LocatedMessage>;
  /** Messages read (for logs and tests). */
  read: number;
}

/**
 * Finds the messages of one trace for one URN's aspects on that URN's partition. The window to read
 * comes from planScan (once per topic and call); all aspects of the URN share one pass over it, which
 * stops as soon as every aspect has been found. The first copy of a write wins: it is the one its
 * consumer reads first, so its offset is the one to compare with the group's commit.
 */
@Injectable()
export class MessageLocator {
  private readonly options: TraceKafkaOptions;

  constructor(
    private readonly admin: KafkaAdminPort,
    private readonly pool: ReaderPool,
    @Inject(TRACE_KAFKA_OPTIONS) options: TraceKafkaOptions,
  ) {
    this.options = options;
  }

  /** The windows of every partition of `topic` for a trace started at `traceTimestamp` (epoch ms; undefined = no usable time). Rejects when Kafka does. */
  async planScan(topic: string, traceTimestamp: number | undefined): Promise<TopicScan> {
    const [ranges, atTime] = await Promise.all([
      this.admin.partitionRanges(topic),
      traceTimestamp === undefined ? undefined : this.admin.offsetsAtTime(topic, traceTimestamp - this.options.timestampSkewMs),
    ]);
    return planTopicScan(topic, ranges, atTime);
  }

  /** Never throws for Kafka trouble: unreadable windows answer `failed` per aspect. */
  async locate(request: LocateRequest): Promise<LocateResult> {
    const { scan, partition } = request;
    const aspects = [...new Set(request.aspects)];
    const window = scan.windows.get(partition);
    if (window === undefined) {
      return everyAspect(aspects, { kind: 'failed', reason: `${scan.topic} has no partition ${partition}` });
    }

    const match = traceMatcher(request);
    const found = new Map<string, LocatedMessage>();
    const outcome = await this.pool.read(scan.topic, {
      partition,
      start: window.start,
      end: window.end,
      maxMessages: this.options.maxMessages,
      maxMillis: this.options.maxMillis,
      signal: request.signal,
      onMessage: (message) => {
        const hit = match(message);
        if (hit !== undefined && !found.has(hit.aspect)) {
          found.set(hit.aspect, { kind: 'found', offset: message.offset, timestamp: Number(message.timestamp), value: hit.value });
        }
        return found.size === aspects.length;
      },
    });

    const missing = missingAnswer(outcome, `partition ${partition} of ${scan.topic}`, request.signal);
    return { byAspect: new Map(aspects.map((a) => [a, found.get(a) ?? missing])), read: outcome.read };
  }
}

/** What an aspect not found in the read is: absent only if the read covered the whole window. */
function missingAnswer(outcome: RangeOutcome, where: string, signal?: AbortSignal): LocatedMessage {
  switch (outcome.kind) {
    case 'complete':
    case 'stopped':
      return { kind: 'not-found' };
    case 'bounded':
      return { kind: 'failed', reason: `gave up reading ${where}: ${outcome.reason}` };
    case 'aborted':
      return { kind: 'failed', reason: abortReason(signal) ?? `reading ${where} was abandoned` };
    case 'failed':
      return { kind: 'failed', reason: `reading ${where} failed: ${outcome.reason}` };
  }
}

function abortReason(signal?: AbortSignal): string | undefined {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : undefined;
}

function everyAspect(aspects: string[], answer: LocatedMessage): LocateResult {
  return { byAspect: new Map(aspects.map((a) => [a, answer])), read: 0 };
}
