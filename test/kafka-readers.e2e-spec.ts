import { randomBytes } from 'crypto';
import { Admin, Partitioners, Producer } from 'kafkajs';
import { Settings, validateEnv } from '@lib/config';
import { KafkaClient, partitionForKey } from '@lib/kafka';
import { timePrefix } from '@lib/telemetry';
import {
  ConsumerGroupOffsets,
  KafkajsAdmin,
  KafkajsRangeReaderFactory,
  KafkaTraceReader,
  MessageLocator,
  PartitionReader,
  ReaderPool,
  statusFromKafka,
  TraceKafkaOptions,
  traceKafkaOptions,
  traceReaderGroupPrefix,
  traceRef,
  UrnAspect,
} from '@lib/trace';
import { stackEnv } from './support/stack-env';
import { kafka } from './support/stores';

/**
 * The Kafka readers of the trace endpoint against the real broker, on topics and groups of their
 * own (created here, deleted at the end). No app process is involved.
 */
const RUN = `trace-e2e-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const TOPICS = { mcp: `${RUN}-mcp`, mcl: `${RUN}-mcl`, mclTs: `${RUN}-mclts`, failed: `${RUN}-failed`, big: `${RUN}-big`, keys: `${RUN}-keys` };
const CLIENT_ID = `${RUN}-client`;
const PARTITIONS = 3;

const urn = (name: string) => `urn:li:dataset:(urn:li:dataPlatform:hive,${name},PROD)`;
/** A trace id minted at `ms` (our format), and one from another tracer (no usable time). */
const traceIdAt = (ms: number) => timePrefix(ms) + randomBytes(8).toString('hex');
const foreignTraceId = () => 'ffff' + randomBytes(14).toString('hex');

function settingsFor(groups: { mce: string; mae: string }, topics: Partial<typeof TOPICS> = {}): Settings {
  return new Settings(
    validateEnv({
      ...stackEnv(),
      TRACE_STACK_TRACES: 'full',
      KAFKA_CLIENT_ID: CLIENT_ID,
      TOPIC_MCP: topics.mcp ?? TOPICS.mcp,
      TOPIC_MCL_VERSIONED: topics.mcl ?? TOPICS.mcl,
      TOPIC_MCL_TIMESERIES: topics.mclTs ?? TOPICS.mclTs,
      TOPIC_FAILED_MCP: topics.failed ?? TOPICS.failed,
      MCE_CONSUMER_GROUP: groups.mce,
      MAE_CONSUMER_GROUP: groups.mae,
    }),
  );
}

function proposal(entityUrn: string, aspectName: string, traceId: string) {
  return {
    entityType: 'dataset',
    entityUrn,
    changeType: 'UPSERT',
    aspectName,
    aspect: { value: JSON.stringify({ removed: false }), contentType: 'application/json' },
    systemMetadata: { lastObserved: Date.now(), runId: 'no-run-id-provided', properties: { telemetryTraceId: traceId } },
  };
}

/** Keys that kafkajs puts on `partition`: found by hashing candidates, as the producer does. */
function keysOnPartition(partition: number, count: number, prefix: string): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) {
    const key = urn(`${prefix}.${i}`);
    if (partitionForKey(key, PARTITIONS) === partition) keys.push(key);
  }
  return keys;
}

describe('trace Kafka readers on the real broker', () => {
  const settings = settingsFor({ mce: `${RUN}-mce`, mae: `${RUN}-mae` });
  /** The readers' complete options: the defaults with a roomy deadline and `overrides`. */
  const tuning = (overrides: Partial<TraceKafkaOptions> = {}): TraceKafkaOptions => traceKafkaOptions({ deadlineMs: 20000, ...overrides });
  const options = tuning();
  let admin: Admin;
  let producer: Producer;
  let client: KafkaClient;
  let port: CountingAdmin;
  let pool: ReaderPool;
  let locator: MessageLocator;
  let offsets: ConsumerGroupOffsets;
  const groupsCreated = new Set<string>();

  /** Counts admin calls, to show what the cache saves. */
  class CountingAdmin extends KafkajsAdmin {
    calls = 0;
    override async committedOffsets(groupId: string, topic: string) {
      this.calls++;
      return super.committedOffsets(groupId, topic);
    }
  }

  /** A facade for given group names (they are settings); the pool, locator and cache are shared. */
  const facade = (groups: { mce: string; mae: string }, topics?: Partial<typeof TOPICS>) =>
    new KafkaTraceReader(offsets, locator, settingsFor(groups, topics), options);

  async function send(topic: string, key: string, value: unknown): Promise<{ partition: number; offset: string }> {
    const [meta] = await producer.send({ topic, messages: [{ key, value: JSON.stringify(value) }] });
    return { partition: meta.partition, offset: meta.baseOffset! };
  }

  /** Writes `count` other URNs' proposals onto `partition`, stamped `timestamp`, in batches. */
  async function fill(topic: string, partition: number, count: number, timestamp: number, traceId: string): Promise<void> {
    const keys = keysOnPartition(partition, 50, `filler.${topic}`);
    for (let done = 0; done < count; done += 1000) {
      const messages = Array.from({ length: Math.min(1000, count - done) }, (_, i) => {
        const key = keys[(done + i) % keys.length];
        return { key, value: JSON.stringify(proposal(key, 'status', traceId)), timestamp: String(timestamp) };
      });
      await producer.send({ topic, messages });
    }
  }

  /** Commits offsets as a consumer of the group does (admin.setOffsets would wait out a 5 s fetch). */
  async function commit(groupId: string, topic: string, partitions: { partition: number; offset: string }[]): Promise<void> {
    groupsCreated.add(groupId);
    const consumer = kafka().consumer({ groupId, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic] });
      const joined = new Promise<void>((resolve) =>
        consumer.on(consumer.events.GROUP_JOIN, () => {
          consumer.pause([{ topic }]); // commit only; read nothing
          resolve();
        }),
      );
      await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
      await joined;
      await consumer.commitOffsets(partitions.map((p) => ({ topic, ...p })));
    } finally {
      await consumer.disconnect();
    }
  }

  async function readerGroups(): Promise<string[]> {
    const { groups } = await admin.listGroups();
    return groups.map((g) => g.groupId).filter((g) => g.startsWith(traceReaderGroupPrefix(CLIENT_ID)));
  }

  beforeAll(async () => {
    const k = kafka();
    admin = k.admin();
    await admin.connect();
    producer = k.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await producer.connect();
    await admin.createTopics({
      topics: Object.values(TOPICS).map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })),
      waitForLeaders: true,
    });
    client = new KafkaClient(settings);
    port = new CountingAdmin(client);
    pool = new ReaderPool(new KafkajsRangeReaderFactory(client, settings, options), options);
    locator = new MessageLocator(port, pool, options);
    offsets = new ConsumerGroupOffsets(port, options);
  });

  afterAll(async () => {
    // Readers first: they are subscribed to the topics about to be deleted.
    await pool?.onModuleDestroy();
    await client?.onModuleDestroy();
    try {
      // Every reader left its group; the broker drops such groups (no members, no offsets) on its own.
      const leftovers = await readerGroups();
      const { groups } = await admin.describeGroups(leftovers);
      expect(groups.filter((g) => g.members.length > 0 || !['Empty', 'Dead'].includes(g.state))).toEqual([]);
      await admin.deleteGroups([...groupsCreated, ...leftovers]).catch(() => undefined);
    } finally {
      await admin?.deleteTopics({ topics: Object.values(TOPICS) }).catch(() => undefined);
      await producer?.disconnect();
      await admin?.disconnect();
    }
  });

  it('partitionForKey picks the partition kafkajs put each key on', async () => {
    const keys = [
      ...Array.from({ length: 60 }, (_, i) => urn(`db.table_${i}`)),
      'urn:li:corpuser:jdoe',
      'urn:li:glossaryTerm:Économie',
      'urn:li:tag:日本語',
      'x',
      '',
    ];
    for (const key of keys) {
      const { partition } = await send(TOPICS.keys, key, { n: 1 });
      expect({ key, partition: partitionForKey(key, PARTITIONS) }).toEqual({ key, partition });
    }
  });

  describe('MCP lookups against the MCE group', () => {
    it('found at the committed offset -> PENDING; once committed past it -> ERROR, after skipCache', async () => {
      const groups = { mce: `${RUN}-mce-a`, mae: `${RUN}-mae-a` };
      // A cache of its own, whose TTL surely outlasts the commit below.
      const longCache = { ...options, offsetCacheTtlMs: 60000 };
      const reader = new KafkaTraceReader(new ConsumerGroupOffsets(port, longCache), locator, settingsFor(groups), longCache);
      const target = urn('pending.a');
      const trace = traceRef(traceIdAt(Date.now()));
      const { partition, offset } = await send(TOPICS.mcp, target, proposal(target, 'status', trace.traceId));
      await commit(groups.mce, TOPICS.mcp, [{ partition, offset }]);

      const item: UrnAspect = { urn: target, aspect: 'status' };
      const started = Date.now();
      const first = (await reader.mcpLookups([item], trace)).get(item)!;
      console.log(`first MCP lookup (its reader joins a group): ${Date.now() - started} ms`);
      // `at` is where a waiting trace watches for the group to pass the message.
      expect(first).toEqual({
        kind: 'found',
        offset,
        committed: offset,
        timestamp: expect.any(Number),
        at: { groupId: groups.mce, topic: TOPICS.mcp, partition },
      });
      expect(statusFromKafka(first).writeStatus).toBe('PENDING');

      await commit(groups.mce, TOPICS.mcp, [{ partition, offset: String(BigInt(offset) + 1n) }]);
      const calls = port.calls;
      const cached = (await reader.mcpLookups([item], trace)).get(item)!;
      expect(cached).toMatchObject({ committed: offset }); // within the cache TTL
      expect(port.calls).toBe(calls);
      const fresh = (await reader.mcpLookups([item], trace, { skipCache: true })).get(item)!;
      expect(fresh).toMatchObject({ kind: 'found', offset, committed: String(BigInt(offset) + 1n) });
      expect(statusFromKafka(fresh).writeStatus).toBe('ERROR');
      expect(port.calls).toBe(calls + 1);
    });

    it('answers no-group when the consumer group does not exist', async () => {
      const reader = facade({ mce: `${RUN}-never-existed`, mae: `${RUN}-never-existed-either` });
      const target = urn('nogroup');
      const trace = traceRef(traceIdAt(Date.now()));
      await send(TOPICS.mcp, target, proposal(target, 'status', trace.traceId));
      const item = { urn: target, aspect: 'status' };
      const got = (await reader.mcpLookups([item], trace)).get(item)!;
      expect(got).toEqual({ kind: 'no-group' });
      expect(statusFromKafka(got)).toEqual({ writeStatus: 'UNKNOWN', writeMessage: 'Missing consumer offsets.' });
    });

    it('answers committed null (PENDING) when the group exists but has not committed that partition', async () => {
      const groups = { mce: `${RUN}-mce-b`, mae: `${RUN}-mae-b` };
      const target = urn('uncommitted.b');
      const trace = traceRef(traceIdAt(Date.now()));
      const { partition, offset } = await send(TOPICS.mcp, target, proposal(target, 'status', trace.traceId));
      await commit(groups.mce, TOPICS.mcp, [{ partition: (partition + 1) % PARTITIONS, offset: '0' }]);
      const item = { urn: target, aspect: 'status' };
      const got = (await facade(groups).mcpLookups([item], trace)).get(item)!;
      expect(got).toEqual({ kind: 'found', offset, committed: null, timestamp: expect.any(Number), at: { groupId: groups.mce, topic: TOPICS.mcp, partition } });
      expect(statusFromKafka(got).writeStatus).toBe('PENDING');
    });

    it('answers not-found for an aspect this trace did not write, and for another trace', async () => {
      const groups = { mce: `${RUN}-mce-c`, mae: `${RUN}-mae-c` };
      const target = urn('notfound.c');
      const trace = traceRef(traceIdAt(Date.now()));
      const { partition } = await send(TOPICS.mcp, target, proposal(target, 'status', trace.traceId));
      await commit(groups.mce, TOPICS.mcp, [{ partition, offset: '0' }]);
      const ownership = { urn: target, aspect: 'ownership' };
      const otherTrace = { urn: target, aspect: 'status' };
      const got = await facade(groups).mcpLookups([ownership], trace);
      expect(got.get(ownership)).toEqual({ kind: 'not-found' });
      const other = await facade(groups).mcpLookups([otherTrace], traceRef(traceIdAt(Date.now())));
      expect(other.get(otherTrace)).toEqual({ kind: 'not-found' });
    });

    it('looks up many URNs at once, several aspects each, all on the right partitions', async () => {
      const groups = { mce: `${RUN}-mce-d`, mae: `${RUN}-mae-d` };
      const trace = traceRef(traceIdAt(Date.now()));
      const expected = new Map<string, string>();
      const items: UrnAspect[] = [];
      for (let i = 0; i < 24; i++) {
        const target = urn(`many.${i}`);
        for (const aspect of ['status', 'ownership']) {
          const { offset } = await send(TOPICS.mcp, target, proposal(target, aspect, trace.traceId));
          expected.set(`${target} ${aspect}`, offset);
          items.push({ urn: target, aspect });
        }
      }
      await commit(
        groups.mce,
        TOPICS.mcp,
        [0, 1, 2].map((partition) => ({ partition, offset: '0' })),
      );
      // Two calls at once: the same partitions are wanted twice, so the pool needs its second reader.
      const [a, b] = await Promise.all([facade(groups).mcpLookups(items, trace), facade(groups).mcpLookups(items, trace)]);
      for (const got of [a, b]) {
        for (const item of items) {
          expect(got.get(item)).toEqual({
            kind: 'found',
            offset: expected.get(`${item.urn} ${item.aspect}`),
            committed: '0',
            timestamp: expect.any(Number),
            at: { groupId: groups.mce, topic: TOPICS.mcp, partition: expect.any(Number) },
          });
        }
      }
      expect(pool.readerCount(TOPICS.mcp)).toBeLessThanOrEqual(2);
    });
  });

  describe('MCL and failed-proposal lookups', () => {
    it('reads the versioned and timeseries MCL topics against the MAE group', async () => {
      const groups = { mce: `${RUN}-mce-e`, mae: `${RUN}-mae-e` };
      const target = urn('mcl.e');
      const trace = traceRef(traceIdAt(Date.now()));
      const versioned = await send(TOPICS.mcl, target, { ...proposal(target, 'status', trace.traceId), created: { time: 1, actor: 'urn:li:corpuser:x' } });
      const timeseries = await send(TOPICS.mclTs, target, proposal(target, 'datasetProfile', trace.traceId));
      await commit(groups.mae, TOPICS.mcl, [{ partition: versioned.partition, offset: String(BigInt(versioned.offset) + 1n) }]);
      await commit(groups.mae, TOPICS.mclTs, [{ partition: timeseries.partition, offset: timeseries.offset }]);

      const status = { urn: target, aspect: 'status' };
      const profile = { urn: target, aspect: 'datasetProfile' };
      const mcl = (await facade(groups).mclLookups([status], trace, false)).get(status)!;
      expect(mcl).toMatchObject({ kind: 'found', offset: versioned.offset });
      expect(statusFromKafka(mcl).writeStatus).toBe('ERROR'); // consumed, not indexed
      const ts = (await facade(groups).mclLookups([profile], trace, true)).get(profile)!;
      expect(ts).toMatchObject({ kind: 'found', offset: timeseries.offset, committed: timeseries.offset });
      expect(statusFromKafka(ts).writeStatus).toBe('PENDING'); // indexing backlog
    });

    it('returns the exceptions recorded on the failed topic', async () => {
      const target = urn('failed.f');
      const trace = traceRef(traceIdAt(Date.now()));
      const error = JSON.stringify([
        {
          message: 'Expected version -10000, actual version -1',
          exceptionClass: 'com.linkedin.metadata.aspect.plugins.validation.AspectValidationException',
          stackTrace: ['at a', 'at b'],
        },
      ]);
      await send(TOPICS.failed, target, { error, metadataChangeProposal: proposal(target, 'glossaryTerms', trace.traceId) });
      const failed = { urn: target, aspect: 'glossaryTerms' };
      const clean = { urn: target, aspect: 'status' };
      const got = await facade({ mce: 'x', mae: 'y' }).failedLookups([failed, clean], trace);
      expect(got.get(failed)?.exceptions[0]).toMatchObject({ message: 'Expected version -10000, actual version -1', stackTrace: ['at a', 'at b'] });
      expect(got.get(clean)).toBeUndefined();
    });
  });

  describe('locating by time, and the bounds', () => {
    const partition = 1;
    const target = keysOnPartition(partition, 1, 'needle')[0];
    const old = Date.now() - 10 * 60 * 1000;
    let ourTrace = '';
    let targetOffset = '';

    beforeAll(async () => {
      await fill(TOPICS.big, partition, 5000, old, traceIdAt(old));
      ourTrace = traceIdAt(Date.now()); // the request starts, then the write is produced
      targetOffset = (await send(TOPICS.big, target, proposal(target, 'status', ourTrace))).offset;
    });

    it('starts at the trace time: 5,000 older messages before it are not read', async () => {
      const trace = traceRef(ourTrace);
      const started = Date.now();
      const scan = await locator.planScan(TOPICS.big, trace.timestamp);
      const { byAspect, read } = await locator.locate({ scan, partition, urn: target, aspects: ['status'], traceId: ourTrace, format: 'change' });
      const ms = Date.now() - started;
      expect(byAspect.get('status')).toMatchObject({ kind: 'found', offset: targetOffset });
      expect(read).toBe(1);
      console.log(`lookup by time, 5,000 older messages before the target: ${ms} ms, ${read} read`);
    });

    it('reads from the earliest offset when the trace id has no time, and still finds it', async () => {
      const trace = traceRef(ourTrace.replace(/^.{4}/, 'ffff'));
      expect(trace.timestamp).toBeUndefined();
      // Same message, seen through a trace id without time: write one carrying that id.
      const { offset } = await send(TOPICS.big, target, proposal(target, 'ownership', trace.traceId));
      const started = Date.now();
      const scan = await locator.planScan(TOPICS.big, undefined);
      const { byAspect, read } = await locator.locate({ scan, partition, urn: target, aspects: ['ownership'], traceId: trace.traceId, format: 'change' });
      const ms = Date.now() - started;
      expect(byAspect.get('ownership')).toMatchObject({ kind: 'found', offset });
      expect(read).toBe(Number(offset) - Number(scan.windows.get(partition)!.start) + 1);
      console.log(`lookup without time, ${read - 1} messages before the target: ${ms} ms`);
    });

    it('answers failed, not not-found, when the message bound is hit before the end', async () => {
      const small = new MessageLocator(port, pool, tuning({ maxMessages: 100 }));
      const scan = await small.planScan(TOPICS.big, undefined);
      const { byAspect, read } = await small.locate({ scan, partition, urn: target, aspects: ['status'], traceId: foreignTraceId(), format: 'change' });
      expect(read).toBe(100);
      const answer = byAspect.get('status') as { kind: string; reason: string };
      expect(answer.kind).toBe('failed');
      expect(answer.reason).toMatch(new RegExp(`^gave up reading partition ${partition} of ${TOPICS.big}: read 100 messages \\(the limit\\)`));
    });

    it('answers failed when the time bound is hit', async () => {
      const hasty = new MessageLocator(port, pool, tuning({ maxMillis: 1 }));
      const scan = await hasty.planScan(TOPICS.big, undefined);
      const { byAspect } = await hasty.locate({ scan, partition, urn: target, aspects: ['status'], traceId: foreignTraceId(), format: 'change' });
      expect(byAspect.get('status')).toMatchObject({ kind: 'failed', reason: expect.stringContaining('in 1 ms without reaching offset') });
    });

    it('through the facade: a foreign trace id past the message bound is failed, naming the bound', async () => {
      const groups = { mce: `${RUN}-mce-g`, mae: `${RUN}-mae-g` };
      await commit(groups.mce, TOPICS.big, [{ partition, offset: '0' }]);
      const bounded = new KafkaTraceReader(
        offsets,
        new MessageLocator(port, pool, tuning({ maxMessages: 1000 })),
        settingsFor(groups, { mcp: TOPICS.big }),
        options,
      );
      const item = { urn: target, aspect: 'status' };
      const got = (await bounded.mcpLookups([item], traceRef(foreignTraceId()))).get(item)!;
      expect(got).toMatchObject({ kind: 'failed', reason: expect.stringContaining('(the limit)') });
      expect(statusFromKafka(got).writeMessage).toMatch(/^Kafka lookup failed: gave up reading/);
    });

    describe('with 50,000 messages before the target', () => {
      const far = 2;
      const needle = keysOnPartition(far, 1, 'needle.far')[0];
      let traceId = '';
      let needleOffset = '';

      beforeAll(async () => {
        await fill(TOPICS.big, far, 50000, old, traceIdAt(old));
        traceId = traceIdAt(Date.now());
        needleOffset = (await send(TOPICS.big, needle, proposal(needle, 'status', traceId))).offset;
      }, 120000);

      it('measures lookups by time and from the earliest offset', async () => {
        let started = Date.now();
        let scan = await locator.planScan(TOPICS.big, traceRef(traceId).timestamp);
        let result = await locator.locate({ scan, partition: far, urn: needle, aspects: ['status'], traceId, format: 'change' });
        const byTime = Date.now() - started;
        expect(result.byAspect.get('status')).toMatchObject({ kind: 'found', offset: needleOffset });
        expect(result.read).toBe(1);

        const roomy = new MessageLocator(port, pool, tuning({ maxMessages: 100000, maxMillis: 60000 }));
        started = Date.now();
        scan = await roomy.planScan(TOPICS.big, undefined);
        result = await roomy.locate({ scan, partition: far, urn: needle, aspects: ['status'], traceId, format: 'change' });
        const fromEarliest = Date.now() - started;
        expect(result.byAspect.get('status')).toMatchObject({ kind: 'found', offset: needleOffset });
        expect(result.read).toBe(50001);
        console.log(`50,000 messages before the target: by time ${byTime} ms (1 read); from the earliest offset ${fromEarliest} ms (${result.read} read)`);
      });

      it('through the facade: the deadline ends a long read with "timed out"', async () => {
        const groups = { mce: `${RUN}-mce-h`, mae: `${RUN}-mae-h` };
        await commit(groups.mce, TOPICS.big, [{ partition: far, offset: '0' }]);
        const slowLocator = new MessageLocator(port, pool, tuning({ maxMessages: 1e9, maxMillis: 60000 }));
        const slow = new KafkaTraceReader(offsets, slowLocator, settingsFor(groups, { mcp: TOPICS.big }), tuning({ deadlineMs: 150 }));
        const item = { urn: needle, aspect: 'ownership' }; // not there: the whole partition would be read
        const started = Date.now();
        const got = (await slow.mcpLookups([item], traceRef(foreignTraceId()))).get(item)!;
        expect(got).toEqual({ kind: 'failed', reason: expect.stringMatching(/^timed out after \d+ ms$/) });
        expect(Date.now() - started).toBeLessThan(1000);
        // The abandoned read released its reader: the next lookup on that partition is served at once.
        const next = await facade(groups, { mcp: TOPICS.big }).mcpLookups([{ urn: needle, aspect: 'status' }], traceRef(traceId));
        expect([...next.values()][0]).toMatchObject({ kind: 'found', offset: needleOffset });
      });
    });
  });

  describe('the range reads themselves', () => {
    let reader: PartitionReader;
    const counts = [0, 0, 0];

    beforeAll(async () => {
      for (let partition = 0; partition < PARTITIONS; partition++) {
        await fill(TOPICS.mclTs, partition, 2000, Date.now(), traceIdAt(Date.now()));
      }
      for (const { partition, high } of await admin.fetchTopicOffsets(TOPICS.mclTs)) counts[partition] = Number(high);
      reader = new KafkajsRangeReaderFactory(client, settings, options).create(TOPICS.mclTs) as PartitionReader;
      await reader.start();
    });

    afterAll(async () => {
      await reader?.close();
    });

    const readRange = async (partition: number, start: number, end: number, signal?: AbortSignal) => {
      const offsets: number[] = [];
      const outcome = await reader.read({
        partition,
        start: BigInt(start),
        end: BigInt(end),
        maxMessages: 1e9,
        maxMillis: 20000,
        signal,
        onMessage: (m) => {
          offsets.push(Number(m.offset));
          return false;
        },
      });
      return { outcome, offsets };
    };
    const range = (start: number, end: number) => Array.from({ length: end - start }, (_, i) => start + i);

    it('reads exactly [start, end), over and over, forwards and backwards, on every partition', async () => {
      const ranges: [number, number, number][] = [
        [0, 0, 10],
        [0, 1990, counts[0]],
        [0, 5, 6],
        [1, 100, 1600],
        [1, 0, counts[1]],
        [2, 1000, 1001],
        [0, 700, 900],
        [2, 3, 1200],
        [1, 50, 60],
      ];
      for (const [partition, start, end] of ranges) {
        const { outcome, offsets } = await readRange(partition, start, end);
        expect({ partition, start, end, kind: outcome.kind, next: outcome.next }).toEqual({ partition, start, end, kind: 'complete', next: BigInt(end) });
        expect(offsets).toEqual(range(start, end));
      }
    });

    it('reads all partitions at once on one consumer, each exactly', async () => {
      const results = await Promise.all([readRange(0, 10, 1800), readRange(1, 0, 2000), readRange(2, 500, 1500)]);
      expect(results.map((r) => r.outcome.kind)).toEqual(['complete', 'complete', 'complete']);
      expect(results[0].offsets).toEqual(range(10, 1800));
      expect(results[1].offsets).toEqual(range(0, 2000));
      expect(results[2].offsets).toEqual(range(500, 1500));
    });

    it('an empty range completes at once; an aborted read is followed by an exact one on the same partition', async () => {
      expect((await readRange(0, 100, 100)).outcome).toEqual({ kind: 'complete', read: 0, next: 100n });
      const controller = new AbortController();
      const aborted = readRange(2, 0, counts[2], controller.signal);
      controller.abort();
      expect((await aborted).outcome.kind).toBe('aborted');
      const { outcome, offsets } = await readRange(2, 40, 80);
      expect(outcome.kind).toBe('complete');
      expect(offsets).toEqual(range(40, 80));
    });

    it('survives its group re-forming in the middle of a read: re-aimed, exact, nothing committed', async () => {
      const partition = 1;
      const high = counts[partition];
      // The read waits at the high watermark for 5 messages still to come.
      const reading = readRange(partition, high - 300, high + 5);
      await new Promise((r) => setTimeout(r, 300));
      // Another member joins the reader's group (taking some partitions), then leaves: two rebalances.
      const intruder = kafka().consumer({ groupId: reader.groupId, maxWaitTimeInMs: 100 });
      await intruder.connect();
      await intruder.subscribe({ topics: [TOPICS.mclTs], fromBeginning: true });
      let intruderAssignment: number[] = [];
      intruder.on(intruder.events.GROUP_JOIN, (e) => (intruderAssignment = e.payload.memberAssignment[TOPICS.mclTs] ?? []));
      await intruder.run({ autoCommit: false, eachBatch: async () => undefined });
      for (let i = 0; i < 100 && intruderAssignment.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(intruderAssignment.length).toBeGreaterThan(0);
      const joins = reader.stats.joins;
      await intruder.disconnect();
      for (let i = 0; i < 100 && reader.stats.joins === joins; i++) await new Promise((r) => setTimeout(r, 100));
      expect(reader.stats.joins).toBe(joins + 1); // took every partition back
      const keys = keysOnPartition(partition, 5, 'late');
      await producer.send({ topic: TOPICS.mclTs, messages: keys.map((key) => ({ key, value: 'late' })) });

      const { outcome, offsets } = await reading;
      expect(outcome.kind).toBe('complete');
      expect(offsets).toEqual(range(high - 300, high + 5));
      counts[partition] += 5;
      // The reader got every partition back and keeps the idle ones paused.
      const after = (await readRange(0, 0, 50)).offsets;
      expect(after).toEqual(range(0, 50));
      console.log(`intruder took ${JSON.stringify(intruderAssignment)}; reader stats: ${JSON.stringify(reader.stats)}`);
    });

    it('never commits, and fetches (almost) nothing for partitions nobody reads', async () => {
      const committed = await admin.fetchOffsets({ groupId: reader.groupId, topics: [TOPICS.mclTs] });
      expect(committed[0].partitions.map((p) => p.offset)).toEqual(['-1', '-1', '-1']);
      // A read's last fetch may bring one batch of its partition after the read ended; never more.
      expect(reader.stats.strayBatches).toBeLessThanOrEqual(12);
      const before = { ...reader.stats };
      await producer.send({ topic: TOPICS.mclTs, messages: [{ key: 'k', value: 'v' }] });
      await new Promise((r) => setTimeout(r, 500));
      expect(reader.stats).toEqual(before); // idle: nothing fetched
    });
  });

  it('keeps its reader consumers across calls: no new consumer group per request', async () => {
    const groups = { mce: `${RUN}-mce-i`, mae: `${RUN}-mae-i` };
    const target = urn('reuse.i');
    const trace = traceRef(traceIdAt(Date.now()));
    await send(TOPICS.mcp, target, proposal(target, 'status', trace.traceId));
    await commit(
      groups.mce,
      TOPICS.mcp,
      [0, 1, 2].map((partition) => ({ partition, offset: '0' })),
    );
    const item = { urn: target, aspect: 'status' };
    await facade(groups).mcpLookups([item], trace);
    const before = await readerGroups();
    for (let i = 0; i < 10; i++) expect((await facade(groups).mcpLookups([item], trace)).get(item)?.kind).toBe('found');
    expect(await readerGroups()).toEqual(before);
    expect(before.length).toBeLessThanOrEqual(2 * Object.keys(TOPICS).length);
  });

  it('answers failed naming Kafka, without throwing, when the topic does not exist', async () => {
    const groups = { mce: `${RUN}-mce-j`, mae: `${RUN}-mae-j` };
    await commit(groups.mce, TOPICS.mcp, [{ partition: 0, offset: '0' }]);
    const missing = `${RUN}-no-such-topic`;
    const item = { urn: urn('missing.j'), aspect: 'status' };
    const got = (await facade(groups, { mcp: missing }).mcpLookups([item], traceRef(traceIdAt(Date.now())))).get(item)!;
    expect(got).toEqual({ kind: 'failed', reason: expect.stringMatching(new RegExp(`^Kafka error on ${missing}: `)) });
    console.log(`missing topic: ${(got as { reason: string }).reason}`);
  });
});
