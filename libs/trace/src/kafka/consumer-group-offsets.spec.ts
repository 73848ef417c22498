import { committedOn, ConsumerGroupOffsets } from './consumer-group-offsets';
import { FakeAdmin } from './testing/fake-admin';
import { traceKafkaOptions } from './trace-kafka-options';

const MCE = 'generic-mce-consumer-job-client';
const MCP = 'MetadataChangeProposal_v1';

function setup(ttlMs = 5000, max = 1000) {
  const admin = new FakeAdmin();
  let now = 1_000_000;
  const clock = { now: () => now };
  const offsets = new ConsumerGroupOffsets(admin, traceKafkaOptions({ offsetCacheTtlMs: ttlMs, offsetCacheMax: max, clock }));
  return { admin, offsets, advance: (ms: number) => (now += ms) };
}

describe('ConsumerGroupOffsets', () => {
  it('reads committed offsets per partition; -1 means not committed there (null)', async () => {
    const { admin, offsets } = setup();
    admin.commits.set(MCE, { [MCP]: ['10', '-1', '0'] });
    const got = await offsets.get(MCE, MCP);
    expect(got.kind).toBe('committed');
    expect(committedOn(got, 0)).toBe('10');
    expect(committedOn(got, 1)).toBeNull();
    expect(committedOn(got, 2)).toBe('0');
    // A commit proves the group exists: no describe call needed.
    expect(admin.count('groupState')).toBe(0);
  });

  it('answers no-group when nothing is committed and the group is Dead', async () => {
    const { admin, offsets } = setup();
    expect(await offsets.get('nobody', MCP)).toEqual({ kind: 'no-group' });
    expect(admin.count('groupState')).toBe(1);
  });

  it.each(['Empty', 'Stable', 'PreparingRebalance', 'CompletingRebalance'])(
    'answers committed-nothing (null everywhere) for a %s group that has not committed this topic',
    async (state) => {
      const { admin, offsets } = setup();
      admin.states.set(MCE, state);
      const got = await offsets.get(MCE, MCP);
      expect(got).toEqual({ kind: 'committed', committed: new Map() });
      expect(committedOn(got, 0)).toBeNull();
    },
  );

  it('serves a second call within the TTL from the cache', async () => {
    const { admin, offsets, advance } = setup(5000);
    admin.commits.set(MCE, { [MCP]: ['5', '5', '5'] });
    await offsets.get(MCE, MCP);
    admin.commits.set(MCE, { [MCP]: ['6', '6', '6'] });
    advance(4999);
    expect(committedOn(await offsets.get(MCE, MCP), 0)).toBe('5');
    expect(admin.count('committedOffsets')).toBe(1);
  });

  it('refetches once the TTL has passed (on the injected clock)', async () => {
    const { admin, offsets, advance } = setup(5000);
    admin.commits.set(MCE, { [MCP]: ['5', '5', '5'] });
    await offsets.get(MCE, MCP);
    admin.commits.set(MCE, { [MCP]: ['6', '6', '6'] });
    advance(5001);
    expect(committedOn(await offsets.get(MCE, MCP), 0)).toBe('6');
    expect(admin.count('committedOffsets')).toBe(2);
  });

  it('refetches on skipCache, and the refreshed entry serves the next call', async () => {
    const { admin, offsets } = setup();
    admin.commits.set(MCE, { [MCP]: ['5', '5', '5'] });
    await offsets.get(MCE, MCP);
    admin.commits.set(MCE, { [MCP]: ['6', '6', '6'] });
    expect(committedOn(await offsets.get(MCE, MCP, true), 0)).toBe('6');
    expect(committedOn(await offsets.get(MCE, MCP), 0)).toBe('6');
    expect(admin.count('committedOffsets')).toBe(2);
  });

  it('keys the cache by (group, topic)', async () => {
    const { admin, offsets } = setup();
    admin.commits.set(MCE, { [MCP]: ['1', '1', '1'], other: ['2', '2', '2'] });
    admin.commits.set('mae', { [MCP]: ['3', '3', '3'] });
    expect(committedOn(await offsets.get(MCE, MCP), 0)).toBe('1');
    expect(committedOn(await offsets.get(MCE, 'other'), 0)).toBe('2');
    expect(committedOn(await offsets.get('mae', MCP), 0)).toBe('3');
    await offsets.get(MCE, MCP);
    expect(admin.count('committedOffsets')).toBe(3);
  });

  it('coalesces concurrent loads of one entry into one admin call', async () => {
    const { admin, offsets } = setup();
    admin.delayMs = 20;
    admin.commits.set(MCE, { [MCP]: ['7', '7', '7'] });
    const all = await Promise.all([offsets.get(MCE, MCP), offsets.get(MCE, MCP), offsets.get(MCE, MCP, true)]);
    expect(all.map((o) => committedOn(o, 1))).toEqual(['7', '7', '7']);
    expect(admin.count('committedOffsets')).toBe(1);
  });

  it('does not cache a failure', async () => {
    const { admin, offsets } = setup();
    admin.failWith = new Error('Connection error: connect ECONNREFUSED');
    await expect(offsets.get(MCE, MCP)).rejects.toThrow('ECONNREFUSED');
    admin.failWith = undefined;
    admin.commits.set(MCE, { [MCP]: ['1', '1', '1'] });
    expect(committedOn(await offsets.get(MCE, MCP), 0)).toBe('1');
  });

  it('with a TTL of 0 refetches every time', async () => {
    const { admin, offsets } = setup(0);
    await offsets.get(MCE, MCP);
    await offsets.get(MCE, MCP);
    expect(admin.count('committedOffsets')).toBe(2);
  });

  it('keeps at most `max` entries', async () => {
    const { admin, offsets } = setup(60000, 2);
    await offsets.get('a', MCP);
    await offsets.get('b', MCP);
    await offsets.get('c', MCP); // evicts a
    await offsets.get('b', MCP);
    await offsets.get('a', MCP);
    expect(admin.count('committedOffsets')).toBe(4);
  });
});
