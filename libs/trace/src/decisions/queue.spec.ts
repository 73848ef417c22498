import { KafkaLookup } from './inputs';
import { PartitionFigures, withQueuePosition } from './queue';
import { Messages, StorageStatus } from './status';

const PENDING: StorageStatus = { writeStatus: 'PENDING', writeMessage: Messages.NOT_PROCESSED };
const at = { groupId: 'mce', topic: 'MetadataChangeProposal_v1', partition: 2 };
const found = (offset: string, committed: string | null): KafkaLookup => ({ kind: 'found', offset, committed, at });
const figures = (committedOffset: string, rate: number, state: PartitionFigures['state']): PartitionFigures => ({ committedOffset, rate, state });

describe('withQueuePosition: where a PENDING write waits (contract 5.5)', () => {
  it('gives partition, offsets, messages ahead, the group state and rate, and the estimated wait', () => {
    expect(withQueuePosition(PENDING, found('150', '100'), figures('100', 25, 'OK'))).toEqual({
      ...PENDING,
      queue: {
        consumerGroup: 'mce',
        topic: 'MetadataChangeProposal_v1',
        partition: 2,
        offset: '150',
        committedOffset: '100',
        messagesAhead: 50,
        consumerState: 'OK',
        consumptionRate: 25,
        estimatedWaitMs: 2040, // 51 messages (ours included) at 25/s
      },
    });
  });

  it("takes the fresher committed offset: the monitor's when the look-up's was cached, and the reverse", () => {
    expect(withQueuePosition(PENDING, found('150', '100'), figures('140', 10, 'OK')).queue).toMatchObject({ committedOffset: '140', messagesAhead: 10 });
    expect(withQueuePosition(PENDING, found('150', '145'), figures('140', 10, 'OK')).queue).toMatchObject({ committedOffset: '145', messagesAhead: 5 });
  });

  it('a group that never committed there: no committed offset, no messages ahead, no estimate', () => {
    const queue = withQueuePosition(PENDING, found('3', null), undefined).queue;
    expect(queue).toEqual({ consumerGroup: 'mce', topic: 'MetadataChangeProposal_v1', partition: 2, offset: '3' });
  });

  it('says why the message does not move when the group is STOPPED or STALLED, keeping the reference message first', () => {
    const stopped = withQueuePosition(PENDING, found('150', '100'), figures('100', 0, 'STOPPED'));
    expect(stopped.writeMessage).toBe(
      'Consumer has not processed offset. Consumer group mce has no member (STOPPED): nothing reads partition 2 of MetadataChangeProposal_v1 until a consumer runs.',
    );
    expect(stopped.queue).toMatchObject({ consumerState: 'STOPPED', consumptionRate: 0 });
    expect(stopped.queue?.estimatedWaitMs).toBeUndefined();
    expect(withQueuePosition(PENDING, found('150', '100'), figures('100', 0, 'STALLED')).writeMessage).toMatch(
      /^Consumer has not processed offset\. Consumer group mce is STALLED/,
    );
    expect(withQueuePosition(PENDING, found('150', '100'), figures('100', 5, 'BEHIND')).writeMessage).toBe(Messages.NOT_PROCESSED);
  });

  it('leaves anything but a PENDING on a located message as it is', () => {
    const active: StorageStatus = { writeStatus: 'ACTIVE_STATE' };
    expect(withQueuePosition(active, found('1', '0'), figures('0', 1, 'OK'))).toBe(active);
    expect(withQueuePosition(PENDING, { kind: 'not-found' }, undefined)).toBe(PENDING);
    expect(withQueuePosition(PENDING, { kind: 'found', offset: '1', committed: '0' }, undefined)).toBe(PENDING);
  });
});
