import { Metrics } from '@lib/metrics';
import { ConsumerGroupOffsets } from './consumer-group-offsets';
import { FakeAdmin } from './testing/fake-admin';
import { traceKafkaOptions } from './trace-kafka-options';

const MCE = 'generic-mce-consumer-job-client';
const MCP = 'MetadataChangeProposal_v1';

async function counts(metrics: Metrics) {
  const { values } = await metrics.traceOffsetCache.get();
  const of = (result: string) => values.find((v) => v.labels.result === result)?.value;
  return { hit: of('hit'), miss: of('miss') };
}

describe('ConsumerGroupOffsets metrics', () => {
  function setup(ttlMs = 5000) {
    const admin = new FakeAdmin();
    const metrics = new Metrics();
    const offsets = new ConsumerGroupOffsets(admin, traceKafkaOptions({ offsetCacheTtlMs: ttlMs }), metrics);
    return { admin, metrics, offsets };
  }

  it('counts a load as a miss and a cached answer as a hit', async () => {
    const { admin, metrics, offsets } = setup();
    admin.commits.set(MCE, { [MCP]: ['1', '1', '1'] });
    await offsets.get(MCE, MCP);
    await offsets.get(MCE, MCP);
    await offsets.get(MCE, MCP);
    expect(await counts(metrics)).toEqual({ hit: 2, miss: 1 });
  });

  it('counts skipCache (a forced refresh) as a miss, and a call joining a load in flight as a hit', async () => {
    const { admin, metrics, offsets } = setup();
    admin.delayMs = 20;
    await Promise.all([offsets.get(MCE, MCP), offsets.get(MCE, MCP)]);
    expect(await counts(metrics)).toEqual({ hit: 1, miss: 1 });
    await offsets.get(MCE, MCP, true);
    expect(await counts(metrics)).toEqual({ hit: 1, miss: 2 });
    expect(admin.count('committedOffsets')).toBe(2);
  });

  it('with a TTL of 0 every call is a miss', async () => {
    const { metrics, offsets } = setup(0);
    await offsets.get(MCE, MCP);
    await offsets.get(MCE, MCP);
    expect(await counts(metrics)).toEqual({ hit: 0, miss: 2 });
  });

  it('counts a failed load as a Kafka error', async () => {
    const { admin, metrics, offsets } = setup();
    admin.failWith = new Error('ECONNREFUSED');
    await expect(offsets.get(MCE, MCP)).rejects.toThrow('ECONNREFUSED');
    const { values } = await metrics.dependencyErrors.get();
    expect(values).toEqual([expect.objectContaining({ labels: { dependency: 'kafka', operation: 'fetch_group_offsets' }, value: 1 })]);
  });
});
