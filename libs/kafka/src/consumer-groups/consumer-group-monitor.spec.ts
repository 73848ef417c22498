import { AssignerProtocol } from 'kafkajs';
import { Metrics } from '@lib/metrics';
import { ConsumerGroupMonitor, MonitorAdmin } from './consumer-group-monitor';

/** A scripted admin: one topic of two partitions read by group `g`; counts calls. */
class FakeMonitorAdmin {
  committed: string[] = ['-1', '-1'];
  ends: string[] = ['0', '0'];
  members: { clientId: string; partitions: number[] }[] = [];
  fail?: Error;
  calls: string[] = [];

  listTopics = async () => {
    this.calls.push('topics');
    return ['t', 'other'];
  };
  fetchTopicOffsets = async (topic: string) => {
    this.calls.push(`ends ${topic}`);
    if (this.fail) throw this.fail;
    return this.ends.map((high, partition) => ({ partition, offset: high, high, low: '0' }));
  };
  fetchOffsets = async ({ groupId, topics }: { groupId: string; topics: string[] }) => {
    this.calls.push(`committed ${groupId}`);
    return topics.map((topic) => ({ topic, partitions: this.committed.map((offset, partition) => ({ partition, offset, metadata: null })) }));
  };
  describeGroups = async (groupIds: string[]) => {
    this.calls.push(`describe ${groupIds.join(',')}`);
    return {
      groups: groupIds.map((groupId) => ({
        groupId,
        state: this.members.length ? 'Stable' : 'Empty',
        protocol: 'RoundRobinAssigner',
        protocolType: 'consumer',
        errorCode: 0,
        members: this.members.map((m) => ({
          clientId: m.clientId,
          clientHost: '/127.0.0.1',
          memberId: `${m.clientId}-1`,
          memberMetadata: Buffer.alloc(0),
          memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: { t: m.partitions }, userData: Buffer.alloc(0) }),
        })),
      })),
    };
  };
}

function monitorOf(admin: FakeMonitorAdmin, metrics?: Metrics): ConsumerGroupMonitor {
  return new ConsumerGroupMonitor(
    async () => admin as unknown as MonitorAdmin,
    { groups: [{ groupId: 'g', topics: ['t'] }], intervalMs: 1000, windowSize: 3 },
    metrics,
  );
}

describe('ConsumerGroupMonitor', () => {
  it('makes one Metadata request, one OffsetFetch and one DescribeGroups per group and one ListOffsets per topic per sample', async () => {
    const admin = new FakeMonitorAdmin();
    const monitor = monitorOf(admin);
    await monitor.sample();
    await monitor.sample();
    expect(admin.calls.sort()).toEqual(['committed g', 'committed g', 'describe g', 'describe g', 'ends t', 'ends t', 'topics', 'topics']);
  });

  it('never asks for the offsets of a topic that does not exist (kafkajs would have the broker auto-create it)', async () => {
    const admin = new FakeMonitorAdmin();
    const monitor = new ConsumerGroupMonitor(async () => admin as unknown as MonitorAdmin, {
      groups: [
        { groupId: 'g', topics: ['t', 'missing'] },
        { groupId: 'h', topics: ['gone'] },
      ],
      intervalMs: 1000,
      windowSize: 3,
    });
    await monitor.sample();
    expect(admin.calls.sort()).toEqual(['committed g', 'describe g,h', 'ends t', 'topics']);
    expect(monitor.view().groups.map((g) => [g.groupId, g.partitions.length])).toEqual([
      ['g', 2],
      ['h', 0],
    ]);
  });

  it('reports lag, the assigned member, rate and state per partition, and the group totals', async () => {
    const admin = new FakeMonitorAdmin();
    admin.members = [
      { clientId: 'mce-a', partitions: [0] },
      { clientId: 'mce-b', partitions: [1] },
    ];
    const monitor = monitorOf(admin);
    admin.ends = ['100', '10'];
    admin.committed = ['40', '-1'];
    await monitor.sample();
    const view = monitor.view();
    expect(view.sampledAt).toBeDefined();
    expect(view.groups).toHaveLength(1);
    const [g] = view.groups;
    expect(g).toMatchObject({ groupId: 'g', groupState: 'Stable', members: 2, lag: 70, state: 'OK' });
    // A partition without a commit counts from its earliest offset.
    expect(g.partitions).toEqual([
      { topic: 't', partition: 0, committedOffset: '40', endOffset: '100', lag: 60, member: 'mce-a', rate: 0, state: 'OK' },
      { topic: 't', partition: 1, committedOffset: '0', endOffset: '10', lag: 10, member: 'mce-b', rate: 0, state: 'OK' },
    ]);
    expect(monitor.partition('g', 't', 0)).toMatchObject({ lag: 60, groupMembers: 2 });
    expect(monitor.partition('g', 't', 7)).toBeUndefined();
  });

  it('says STOPPED as soon as the group has no member, and STALLED once a full window shows no progress', async () => {
    const admin = new FakeMonitorAdmin();
    admin.members = [{ clientId: 'mce-a', partitions: [0, 1] }];
    admin.ends = ['50', '0'];
    admin.committed = ['10', '0'];
    const monitor = monitorOf(admin);
    await monitor.sample();
    await monitor.sample();
    expect(monitor.group('g')?.state).toBe('OK'); // two samples of a window of three: too early to say
    await monitor.sample();
    expect(monitor.group('g')?.state).toBe('STALLED');
    expect(monitor.partition('g', 't', 1)?.state).toBe('OK');
    admin.members = [];
    await monitor.sample();
    expect(monitor.group('g')).toMatchObject({ state: 'STOPPED', members: 0, groupState: 'Empty' });
  });

  it('keeps the last good figures and says why when a sample fails, and feeds the consumer_group_* gauges', async () => {
    const admin = new FakeMonitorAdmin();
    admin.members = [{ clientId: 'mce-a', partitions: [0, 1] }];
    admin.ends = ['5', '0'];
    admin.committed = ['2', '0'];
    const metrics = new Metrics();
    const monitor = monitorOf(admin, metrics);
    await monitor.sample();
    admin.fail = new Error('broker down');
    await monitor.sample();
    expect(monitor.view()).toMatchObject({ error: 'broker down', groups: [{ lag: 3 }] });
    const text = await metrics.registry.metrics();
    expect(text).toContain('consumer_group_lag{group="g",topic="t",partition="0"} 3');
    expect(text).toContain('consumer_group_members{group="g"} 1');
    expect(text).toContain('consumer_group_state{group="g",state="OK"} 1');
    expect(text).toContain('consumer_group_state{group="g",state="STOPPED"} 0');
    expect(text).toContain('dependency_errors_total{dependency="kafka",operation="consumer_monitor"} 1');
    admin.fail = undefined;
    await monitor.sample();
    expect(monitor.view().error).toBeUndefined();
  });
});
