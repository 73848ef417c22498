import { KafkaMessage } from 'kafkajs';

/** A read of the offsets [start, end) of one partition. */
export interface RangeRead {
  partition: number;
  start: bigint;
  /** Exclusive; normally the high watermark when the read was planned. */
  end: bigint;
  /** Called for each message of the range in offset order; returning true ends the read ('stopped'). */
  onMessage(message: KafkaMessage): boolean;
  /** Gives up ('bounded') after this many messages when the end is not reached. */
  maxMessages: number;
  /** Gives up ('bounded') after this long, counted from when the read is aimed at the partition. */
  maxMillis: number;
  /** Abandons the read ('aborted'), e.g. at the caller's deadline. */
  signal?: AbortSignal;
}

export type RangeEnd =
  /** Every offset of the range was read. */
  | { kind: 'complete' }
  /** onMessage asked to stop. */
  | { kind: 'stopped' }
  /** A bound was hit before the end. */
  | { kind: 'bounded'; reason: string }
  | { kind: 'aborted' }
  /** The consumer failed or was closed. */
  | { kind: 'failed'; reason: string };

export type RangeOutcome = RangeEnd & {
  /** Messages handed to onMessage. */
  read: number;
  /** The next offset the read would have looked at. */
  next: bigint;
};

/** One long-lived consumer that reads ranges of a topic's partitions, one read per partition at a time. */
export interface RangeReader {
  readonly groupId: string;
  /** Connects and joins its group; resolves once it can read. Idempotent. */
  start(): Promise<void>;
  /** False once it crashed or was closed: the pool replaces it. */
  readonly usable: boolean;
  read(request: RangeRead): Promise<RangeOutcome>;
  /** Ends reads in flight ('failed') and leaves the group. */
  close(): Promise<void>;
}

/** Makes the pool's readers; an abstract class (type and Nest token) so that tests can hand the pool fakes. */
export abstract class RangeReaderFactory {
  abstract create(topic: string): RangeReader;
}
