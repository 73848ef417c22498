import { estimatedWaitMs, LagState } from '@lib/kafka';
import { KafkaLookup, OffsetPosition } from './inputs';
import { toBigInt } from './primary-rules';
import { Messages, QueuePosition, StorageStatus, WriteStatus } from './status';

/** What the consumer-group monitor knows of the partition a PENDING message waits on. */
export interface PartitionFigures {
  committedOffset: string;
  rate: number;
  state: LagState;
}

/**
 * Contract 5.5: a PENDING status whose message was located on Kafka says where it waits (partition, offset, the
 * group's committed offset, the messages ahead of it) and, from the monitor, the group's state, rate and an
 * estimated wait. The reference message stays first in writeMessage (clients match on it); a STOPPED or STALLED
 * group adds why the message is not moving. Anything else is returned as it is.
 */
export function withQueuePosition(status: StorageStatus, lookup: KafkaLookup | undefined, figures: PartitionFigures | undefined): StorageStatus {
  if (status.writeStatus !== WriteStatus.PENDING || lookup?.kind !== 'found' || lookup.at === undefined) return status;
  const offset = toBigInt(lookup.offset);
  if (offset === undefined) return status;
  // Offsets only move forward: the fresher of the look-up's (possibly cached) and the monitor's committed offset.
  const committed = [lookup.committed, figures?.committedOffset]
    .map((o) => (o === null || o === undefined ? undefined : toBigInt(o)))
    .filter((o): o is bigint => o !== undefined && o >= 0n)
    .reduce<bigint | undefined>((a, b) => (a === undefined || b > a ? b : a), undefined);
  const ahead = committed === undefined ? undefined : offset > committed ? Number(offset - committed) : 0;
  const queue: QueuePosition = { consumerGroup: lookup.at.groupId, topic: lookup.at.topic, partition: lookup.at.partition, offset: String(offset) };
  if (committed !== undefined) queue.committedOffset = String(committed);
  if (ahead !== undefined) queue.messagesAhead = ahead;
  if (figures !== undefined) {
    queue.consumerState = figures.state;
    queue.consumptionRate = figures.rate;
    const wait = ahead === undefined ? undefined : estimatedWaitMs(ahead + 1, figures.rate, figures.state);
    if (wait !== undefined) queue.estimatedWaitMs = wait;
  }
  const why = figures === undefined ? undefined : notMoving(lookup.at, figures.state);
  return { ...status, writeMessage: why === undefined ? status.writeMessage : `${status.writeMessage ?? Messages.NOT_PROCESSED} ${why}`, queue };
}

function notMoving(at: OffsetPosition, state: LagState): string | undefined {
  if (state === 'STOPPED')
    return `Consumer group ${at.groupId} has no member (STOPPED): nothing reads partition ${at.partition} of ${at.topic} until a consumer runs.`;
  if (state === 'STALLED')
    return `Consumer group ${at.groupId} is STALLED: its committed offset on partition ${at.partition} of ${at.topic} has not moved over the monitor window.`;
  return undefined;
}
