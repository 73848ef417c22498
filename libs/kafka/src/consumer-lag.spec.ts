import { Settings, validateEnv } from '@lib/config';
import { Metrics } from '@lib/metrics';
import { consumerGroupLag, ConsumerLagMetrics, LagAdmin } from './consumer-lag';
import { KafkaClient } from './kafka.client';

/** Committed offsets per group and topic ('-1': none), and each topic's partition ranges. */
function fakeAdmin(commits: Record<string, Record<string, string[]>>, ranges: Record<string, { low: string; high: string }[]>) {
  const calls: string[] = [];
  const admin = {
    fetchOffsets: async ({ groupId, topics }: { groupId: string; topics: string[] }) => {
      calls.push(`fetchOffsets ${groupId}`);
      return topics.map((topic) => ({
        topic,
        partitions: (ranges[topic] ?? []).map((_, partition) => ({ partition, offset: commits[groupId]?.[topic]?.[partition] ?? '-1', metadata: null })),
      }));
    },
    fetchTopicOffsets: async (topic: string) => {
      calls.push(`fetchTopicOffsets ${topic}`);
      const parts = ranges[topic];
      if (!parts) throw new Error('This server does not host this topic-partition');
      return parts.map((r, partition) => ({ partition, offset: r.high, ...r }));
    },
  };
  return { admin: admin as unknown as LagAdmin, calls };
}

describe('consumerGroupLag', () => {
  it('is the high watermark minus the committed offset, per partition', async () => {
    const { admin, calls } = fakeAdmin(
      { mce: { MCP: ['10', '7', '3'] } },
      {
        MCP: [
          { low: '0', high: '10' },
          { low: '0', high: '12' },
          { low: '2', high: '3' },
        ],
      },
    );
    expect(await consumerGroupLag(admin, 'mce', ['MCP'])).toEqual([
      { group: 'mce', topic: 'MCP', partition: 0, lag: 0 },
      { group: 'mce', topic: 'MCP', partition: 1, lag: 5 },
      { group: 'mce', topic: 'MCP', partition: 2, lag: 0 },
    ]);
    // One OffsetFetch for the group, one ListOffsets per topic.
    expect(calls.sort()).toEqual(['fetchOffsets mce', 'fetchTopicOffsets MCP']);
  });

  it('counts every retained message where the group has committed nothing yet (it starts from the earliest)', async () => {
    const { admin } = fakeAdmin(
      { mae: { V: ['4'] } },
      {
        V: [
          { low: '0', high: '9' },
          { low: '5', high: '8' },
        ],
        T: [{ low: '0', high: '0' }],
      },
    );
    expect(await consumerGroupLag(admin, 'mae', ['V', 'T'])).toEqual([
      { group: 'mae', topic: 'V', partition: 0, lag: 5 },
      { group: 'mae', topic: 'V', partition: 1, lag: 3 },
      { group: 'mae', topic: 'T', partition: 0, lag: 0 },
    ]);
  });

  it('never answers a negative lag (a commit past the watermark of a truncated partition)', async () => {
    const { admin } = fakeAdmin({ g: { t: ['20'] } }, { t: [{ low: '0', high: '15' }] });
    expect((await consumerGroupLag(admin, 'g', ['t']))[0].lag).toBe(0);
  });

  it('rejects when Kafka does (the scrape then drops the series and counts the error)', async () => {
    const { admin } = fakeAdmin({}, {});
    await expect(consumerGroupLag(admin, 'g', ['missing'])).rejects.toThrow('does not host');
  });
});

describe('ConsumerLagMetrics', () => {
  const settings = new Settings(validateEnv({}));

  it("reads the lag of the process's own consumer groups into kafka_consumer_lag at scrape time", async () => {
    const { admin } = fakeAdmin(
      { mce: { MCP: ['1', '2', '3'] } },
      {
        MCP: [
          { low: '0', high: '4' },
          { low: '0', high: '2' },
          { low: '0', high: '3' },
        ],
      },
    );
    const client = { consumerGroups: new Map([['mce', ['MCP']]]), getAdmin: async () => admin } as unknown as KafkaClient;
    const metrics = new Metrics();
    const lag = new ConsumerLagMetrics(client, settings, metrics);
    lag.onModuleInit();
    const text = await metrics.text();
    expect(text).toContain('kafka_consumer_lag{group="mce",topic="MCP",partition="0"} 3');
    expect(text).toContain('kafka_consumer_lag{group="mce",topic="MCP",partition="1"} 0');
    lag.onModuleDestroy();
    expect(await metrics.text()).not.toContain('kafka_consumer_lag{');
  });

  it('asks Kafka nothing in a process without consumers', async () => {
    const getAdmin = jest.fn();
    const lag = new ConsumerLagMetrics({ consumerGroups: new Map(), getAdmin } as unknown as KafkaClient, settings, new Metrics());
    expect(await lag.read()).toEqual([]);
    expect(getAdmin).not.toHaveBeenCalled();
  });

  it('works without Metrics (nothing registered)', () => {
    expect(() => new ConsumerLagMetrics({ consumerGroups: new Map() } as unknown as KafkaClient, settings).onModuleInit()).not.toThrow();
  });
});
