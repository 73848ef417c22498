import { randomBytes } from 'crypto';
import { Client } from '@opensearch-project/opensearch';
import { Admin, Producer, RecordMetadata } from 'kafkajs';
import { Settings, validateEnv } from '@lib/config';
import { loadEntityRegistry, MetadataChangeLog } from '@lib/metadata';
import { aspectKey, SearchClient, SystemMetadataRepository, systemMetadataDocId, TimeseriesRepository } from '@lib/search';
import { AppProcess, freePort } from './support/app-process';
import { dropNamespace, ownNamespace } from './support/namespace';
import { eventually } from './support/poll';
import { changeLog as fixtureChangeLog } from '../libs/indexing/src/testing/fixtures';
import { stackEnv } from './support/stack-env';
import { kafka, search } from './support/stores';
import { messagesWithKey } from './support/topics';

/** A document as the test looks at it: loosely typed on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;

/** A trace id as the service mints them: start time in microseconds, then 16 random hex digits. */
function newTraceId(): string {
  return (BigInt(Date.now()) * 1000n).toString(16).padStart(16, '0') + randomBytes(8).toString('hex');
}

describe('indexing: the MAE consumer on the real stack', () => {
  const env = stackEnv();
  const prefix = env.OPENSEARCH_INDEX_PREFIX;
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const urn = `urn:li:dataset:(urn:li:dataPlatform:hive,e2e_indexing.t_${run},PROD)`;
  const traceId = newTraceId();
  const t0 = Date.now();
  const profileTimestamp = t0 - 60000;

  let mae: AppProcess;
  let producer: Producer;
  let admin: Admin;
  let os: Client;
  let searchClient: SearchClient;

  function changeLog(aspectName: string, value: unknown, sm: { version?: string; lastObserved: number; traceId: string }): MetadataChangeLog {
    return {
      ...fixtureChangeLog(aspectName, value, sm.lastObserved),
      entityUrn: urn,
      systemMetadata: {
        lastObserved: sm.lastObserved,
        runId: 'no-run-id-provided',
        ...(sm.version ? { version: sm.version } : {}),
        registryName: 'Default',
        registryVersion: '1.0.0',
        properties: {
          telemetryTraceId: sm.traceId,
          telemetryQueueSpanId: 'a1b2c3d4e5f60718',
          telemetryEnqueuedAt: String(sm.lastObserved),
          telemetryLog: 'false',
        },
      },
      created: { time: sm.lastObserved, actor: 'urn:li:corpuser:e2e' },
    };
  }

  /** Produces to one topic, keyed by the URN (so all land on one partition, in order); returns the last offset. */
  async function produce(topic: string, values: (MetadataChangeLog | string)[]): Promise<RecordMetadata> {
    const sent = await producer.send({
      topic,
      messages: values.map((v) => ({
        key: urn,
        value: typeof v === 'string' ? v : JSON.stringify(v),
        headers: { traceparent: `00-${traceId}-a1b2c3d4e5f60718-01` },
      })),
    });
    return sent[0];
  }

  /** Waits until the MAE group has committed past `sent` (its offset is that of the first message of the send). */
  async function committedPast(topic: string, sent: RecordMetadata, count: number): Promise<void> {
    const target = BigInt(sent.baseOffset!) + BigInt(count);
    await eventually(
      async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: env.MAE_CONSUMER_GROUP, topics: [topic] });
        return offsets.partitions.find((p) => p.partition === sent.partition)?.offset ?? '-1';
      },
      (committed) => BigInt(committed) >= target,
      60000,
    );
  }

  async function systemMetadataDoc(aspect: string): Promise<Record<string, unknown> | undefined> {
    const res = await os.get({ index: `${prefix}system_metadata_service_v1`, id: systemMetadataDocId(urn, aspect) }, { ignore: [404] });
    return res.body.found ? (res.body._source as Record<string, unknown>) : undefined;
  }

  async function entityDoc(): Promise<Doc | undefined> {
    const res = await os.get({ index: `${prefix}datasetindex_v2`, id: urn }, { ignore: [404] });
    return res.body.found ? (res.body._source as Doc) : undefined;
  }

  async function profileDocs(): Promise<Doc[]> {
    const res = await os.search({
      index: `${prefix}dataset_datasetprofileaspect_v1`,
      body: { query: { term: { urn } } },
    });
    return res.body.hits.hits.map((h) => h._source as Doc);
  }

  beforeAll(async () => {
    mae = await AppProcess.start('mae-consumer');
    // Healthy means the schema (topics, indices) is set up and the consumer joined its group.
    await mae.waitHealthy();
    producer = kafka().producer();
    await producer.connect();
    admin = kafka().admin();
    await admin.connect();
    os = search();
    searchClient = new SearchClient(new Settings(validateEnv(env)));
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await os?.close();
    await searchClient?.onModuleDestroy();
    if (mae) expect(await mae.stop('SIGTERM', 30000)).toBe(0);
  });

  it('dead-letters poison messages and indexes the change logs behind them on the same partition', async () => {
    const versioned = await produce(env.TOPIC_MCL_VERSIONED, [
      'this is not a change log',
      changeLog('status', { removed: false }, { version: '2', lastObserved: t0, traceId }),
      changeLog('datasetProperties', { name: `orders ${run}`, description: 'All orders' }, { version: '1', lastObserved: t0, traceId }),
    ]);
    const timeseries = await produce(env.TOPIC_MCL_TIMESERIES, [
      '{"entityType": "dataset"',
      changeLog(
        'datasetProfile',
        { timestampMillis: profileTimestamp, rowCount: 42, partitionSpec: { partition: 'FULL_TABLE_SNAPSHOT' } },
        { lastObserved: t0, traceId },
      ),
    ]);

    const status = await eventually(
      () => systemMetadataDoc('status'),
      (doc) => doc !== undefined,
      60000,
    );
    expect(status).toEqual({
      urn,
      aspect: 'status',
      runId: 'no-run-id-provided',
      lastUpdated: t0,
      removed: false,
      telemetryTraceId: traceId,
      registryName: 'Default',
      registryVersion: '1.0.0',
    });
    expect(
      await eventually(
        () => systemMetadataDoc('datasetProperties'),
        (doc) => doc !== undefined,
      ),
    ).toMatchObject({ telemetryTraceId: traceId });

    const entity = await eventually(entityDoc, (doc) => Boolean(doc?.aspects?.status && doc.aspects.datasetProperties));
    expect(entity).toMatchObject({
      urn,
      entityType: 'dataset',
      removed: false,
      name: `orders ${run}`,
      description: 'All orders',
      lastUpdated: t0,
      aspects: { status: { removed: false }, datasetProperties: { name: `orders ${run}` } },
    });

    // Committed means searchable: timeseries batches are written with refresh=wait_for.
    await committedPast(env.TOPIC_MCL_TIMESERIES, timeseries, 2);
    const [profile, ...more] = await profileDocs();
    expect(more).toHaveLength(0);
    expect(profile).toMatchObject({
      urn,
      timestampMillis: profileTimestamp,
      partitionSpec: 'FULL_TABLE_SNAPSHOT',
      telemetryTraceId: traceId,
      lastUpdated: t0,
      event: { rowCount: 42 },
    });

    await committedPast(env.TOPIC_MCL_VERSIONED, versioned, 3);
    expect(mae.output).toContain('unprocessable change log');
    const letters = (await messagesWithKey(kafka(), env.TOPIC_FAILED_MCL, urn)).map((m) => JSON.parse(m.value).metadataChangeLog);
    expect(letters).toEqual(expect.arrayContaining([{ raw: 'this is not a change log' }, { raw: '{"entityType": "dataset"' }]));
    expect(letters).toHaveLength(2);
  });

  it('answers the trace read side: system metadata by real-time mget, timeseries by trace id', async () => {
    const systemMetadata = new SystemMetadataRepository(searchClient);
    const docs = await systemMetadata.getMany([
      { urn, aspect: 'status' },
      { urn, aspect: 'datasetProperties' },
      { urn, aspect: 'ownership' },
    ]);
    expect([...docs.keys()].sort()).toEqual([aspectKey(urn, 'datasetProperties'), aspectKey(urn, 'status')]);
    expect(docs.get(aspectKey(urn, 'status'))).toMatchObject({ telemetryTraceId: traceId, lastUpdated: t0, removed: false });

    const timeseries = new TimeseriesRepository(searchClient, loadEntityRegistry());
    const items = [
      { urn, entityType: 'dataset', aspect: 'datasetProfile' },
      { urn, entityType: 'dataset', aspect: 'operation' },
    ];
    expect([...(await timeseries.findByTrace(traceId, items))]).toEqual([aspectKey(urn, 'datasetProfile')]);
    expect((await timeseries.findByTrace(newTraceId(), items)).size).toBe(0);
  });

  it('keeps the newer value when an older change log arrives late, and applies a newer one', async () => {
    const staleTrace = newTraceId();
    const stale = await produce(env.TOPIC_MCL_VERSIONED, [
      changeLog('status', { removed: true }, { version: '1', lastObserved: t0 - 5000, traceId: staleTrace }),
    ]);
    await committedPast(env.TOPIC_MCL_VERSIONED, stale, 1);
    expect((await entityDoc())?.aspects.status).toEqual({ removed: false });
    expect((await entityDoc())?.removed).toBe(false);
    expect(await systemMetadataDoc('status')).toMatchObject({ telemetryTraceId: traceId, lastUpdated: t0 });

    const newerTrace = newTraceId();
    const newer = await produce(env.TOPIC_MCL_VERSIONED, [
      changeLog('status', { removed: true }, { version: '3', lastObserved: t0 + 5000, traceId: newerTrace }),
    ]);
    await committedPast(env.TOPIC_MCL_VERSIONED, newer, 1);
    const entity = await entityDoc();
    expect(entity).toMatchObject({ removed: true, name: `orders ${run}`, lastUpdated: t0 + 5000, aspects: { status: { removed: true } } });
    expect(await systemMetadataDoc('status')).toMatchObject({ telemetryTraceId: newerTrace, lastUpdated: t0 + 5000 });
  });

  it('indexes a redelivered timeseries event once', async () => {
    const again = await produce(env.TOPIC_MCL_TIMESERIES, [
      changeLog(
        'datasetProfile',
        { timestampMillis: profileTimestamp, rowCount: 42, partitionSpec: { partition: 'FULL_TABLE_SNAPSHOT' } },
        { lastObserved: t0, traceId },
      ),
    ]);
    await committedPast(env.TOPIC_MCL_TIMESERIES, again, 1);
    expect(await profileDocs()).toHaveLength(1);
  });
});

describe('indexing: nothing is committed until OpenSearch accepted the batch', () => {
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  // Topics of its own: the consumer's new group reads its topic from the start, which must hold only this test's log.
  const env = ownNamespace(`_e2e_idxout${run}`);
  const urn = `urn:li:dataset:(urn:li:dataPlatform:hive,e2e_outage.t_${run},PROD)`;
  // A group of its own, so this test's commits (or their absence) are not mixed with the other consumers'.
  const group = `${env.MAE_CONSUMER_GROUP}_outage_${run}`;

  it('keeps the offset while OpenSearch is unreachable, then indexes the change log once it is back', async () => {
    const admin = kafka().admin();
    const producer = kafka().producer();
    await Promise.all([admin.connect(), producer.connect()]);
    const closedPort = await freePort();
    const down = await AppProcess.start('mae-consumer', { ...env, MAE_CONSUMER_GROUP: group, OPENSEARCH_URL: `http://127.0.0.1:${closedPort}` });
    let up: AppProcess | undefined;
    try {
      // Health is 503 (OpenSearch is down), but the consumer itself joins its group.
      await eventually(
        async () => ((await (await fetch(`${down.url}/health`)).json()) as { details?: Record<string, { joined?: boolean }> }).details?.['mae-consumer'],
        (consumer) => consumer?.joined === true,
        60000,
      );
      const traceId = newTraceId();
      const mcl = statusChangeLog(urn, traceId);
      const [sent] = await producer.send({ topic: env.TOPIC_MCL_VERSIONED, messages: [{ key: urn, value: JSON.stringify(mcl) }] });
      await eventually(
        async () => /indexing .* failed, not committing/.test(down.output),
        (failed) => failed,
      );
      const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [env.TOPIC_MCL_VERSIONED] });
      const committed = offsets.partitions.find((p) => p.partition === sent.partition)!.offset;
      expect(BigInt(committed)).toBeLessThanOrEqual(BigInt(sent.baseOffset!));
      expect(await down.stop('SIGTERM', 60000)).toBe(0);

      up = await AppProcess.start('mae-consumer', { ...env, MAE_CONSUMER_GROUP: group });
      await up.waitHealthy();
      const searchClient = new SearchClient(new Settings(validateEnv(env)));
      try {
        const repo = new SystemMetadataRepository(searchClient);
        const docs = await eventually(
          () => repo.getMany([{ urn, aspect: 'status' }]),
          (found) => found.size > 0,
          60000,
        );
        expect(docs.get(aspectKey(urn, 'status'))?.telemetryTraceId).toBe(traceId);
      } finally {
        await searchClient.onModuleDestroy();
      }
    } finally {
      await down.stop('SIGKILL');
      if (up) expect(await up.stop('SIGTERM', 30000)).toBe(0);
      await admin.deleteGroups([group]).catch(() => undefined);
      await Promise.all([admin.disconnect(), producer.disconnect()]);
      await dropNamespace(env);
    }
  });
});

describe('indexing: a bulk request some of whose items fail, on the real OpenSearch', () => {
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  // Topics, group and indices of its own: the index it blocks is nobody else's, and its group reads only its messages.
  const env = ownNamespace(`_e2e_partial${run}`);
  const urn = `urn:li:dataset:(urn:li:dataPlatform:hive,e2e_partial.t_${run},PROD)`;
  const blocked = `${env.OPENSEARCH_INDEX_PREFIX}system_metadata_service_v1`;

  it('re-sends only the items that failed (an index blocked for writes: 403) until they succeed, and commits only then', async () => {
    const admin = kafka().admin();
    const producer = kafka().producer();
    const os = search();
    await Promise.all([admin.connect(), producer.connect()]);
    const mae = await AppProcess.start('mae-consumer', env);
    try {
      await mae.waitHealthy();
      await os.indices.putSettings({ index: blocked, body: { 'index.blocks.write': true } });
      const traceId = newTraceId();
      const mcl = statusChangeLog(urn, traceId);
      const [sent] = await producer.send({ topic: env.TOPIC_MCL_VERSIONED, messages: [{ key: urn, value: JSON.stringify(mcl) }] });
      const committed = async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: env.MAE_CONSUMER_GROUP, topics: [env.TOPIC_MCL_VERSIONED] });
        return BigInt(offsets.partitions.find((p) => p.partition === sent.partition)!.offset);
      };
      const resends = () => (mae.output.match(/1 of 2 items failed \(e\.g\. system metadata .* 403 cluster_block_exception/g) ?? []).length;

      // The system-metadata item fails round after round; the entity document, in the same bulk request, was written once.
      await eventually(
        async () => resends(),
        (n) => n >= 2,
        30000,
      );
      const entity = await os.get({ index: `${env.OPENSEARCH_INDEX_PREFIX}datasetindex_v2`, id: urn }, { ignore: [404] });
      expect(entity.body.found && (entity.body._source as Record<string, Record<string, unknown>>).aspects.status).toEqual({ removed: false });
      expect((await os.get({ index: blocked, id: systemMetadataDocId(urn, 'status') }, { ignore: [404] })).body.found).toBe(false);
      expect(await committed()).toBeLessThanOrEqual(BigInt(sent.baseOffset!));
      expect(mae.output).not.toMatch(/failed, not committing/);

      await os.indices.putSettings({ index: blocked, body: { 'index.blocks.write': null } });
      await eventually(committed, (offset) => offset > BigInt(sent.baseOffset!), 30000);
      const doc = await os.get({ index: blocked, id: systemMetadataDocId(urn, 'status') });
      expect((doc.body._source as Record<string, unknown>).telemetryTraceId).toBe(traceId);
      const metrics = await (await fetch(`${mae.url}/metrics`)).text();
      expect(Number(/^search_bulk_items_resent_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
      // The batch never failed as a whole: no OpenSearch error counted, nothing redelivered.
      expect(metrics).not.toMatch(/dependency_errors_total\{dependency="opensearch",operation="bulk_index"\}/);
    } finally {
      await os.indices.putSettings({ index: blocked, body: { 'index.blocks.write': null } }).catch(() => undefined);
      expect(await mae.stop('SIGTERM', 30000)).toBe(0);
      await Promise.all([admin.disconnect(), producer.disconnect(), os.close()]);
      await dropNamespace(env);
    }
  });
});

/** The change log of a first `status` write of `urn` under `traceId`, as the MCE consumer emits it. */
function statusChangeLog(urn: string, traceId: string): MetadataChangeLog {
  const log = fixtureChangeLog('status', { removed: false }, Date.now());
  return { ...log, entityUrn: urn, systemMetadata: { ...log.systemMetadata!, properties: { telemetryTraceId: traceId } } };
}
