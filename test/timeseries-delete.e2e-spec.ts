import { randomBytes } from 'crypto';
import { Client } from '@opensearch-project/opensearch';
import { Admin, Producer, RecordMetadata } from 'kafkajs';
import { END_TIME_MILLIS_HEADER, MetadataChangeLog, START_TIME_MILLIS_HEADER } from '@lib/metadata';
import { systemMetadataDocId } from '@lib/search';
import { AppProcess } from './support/app-process';
import { dropNamespace, ownNamespace } from './support/namespace';
import { eventually } from './support/poll';
import { kafka, search } from './support/stores';
import { states, traceWrite } from './support/trace-client';

/** A document as the test looks at it: loosely typed on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;

/** A trace id as the service mints them: start time in microseconds, then 16 random hex digits. */
function newTraceId(): string {
  return (BigInt(Date.now()) * 1000n).toString(16).padStart(16, '0') + randomBytes(8).toString('hex');
}

/**
 * Deletes of timeseries events on the real stack: a timeseries DELETE change log (time range in its headers) and an
 * entity delete (a DELETE of the key aspect). Topics, group and indices of its own, so only this suite's MAE consumer
 * (built from this tree) reads its change logs.
 */
describe('timeseries deletes: the MAE consumer and the trace on the real stack', () => {
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const env = ownNamespace(`_e2e_tsdel${run}`);
  const prefix = env.OPENSEARCH_INDEX_PREFIX;
  const urnA = `urn:li:dataset:(urn:li:dataPlatform:hive,e2e_tsdel.a_${run},PROD)`;
  const urnB = `urn:li:dataset:(urn:li:dataPlatform:hive,e2e_tsdel.b_${run},PROD)`;
  const T = Date.now() - 3_600_000;
  /** Five events per URN, a second apart. */
  const times = [T, T + 1000, T + 2000, T + 3000, T + 4000];
  const upsertTrace = newTraceId();

  let mae: AppProcess;
  let gms: AppProcess;
  let producer: Producer;
  let admin: Admin;
  let os: Client;

  function changeLog(urn: string, aspectName: string, value: unknown | null, traceId: string, headers?: Record<string, string>): MetadataChangeLog {
    const lastObserved = Date.now();
    return {
      entityType: 'dataset',
      entityUrn: urn,
      changeType: value === null ? 'DELETE' : 'UPSERT',
      aspectName,
      ...(value === null ? {} : { aspect: { value: JSON.stringify(value), contentType: 'application/json' as const } }),
      systemMetadata: { lastObserved, runId: 'no-run-id-provided', properties: { telemetryTraceId: traceId, telemetryLog: 'false' } },
      created: { time: lastObserved, actor: 'urn:li:corpuser:e2e' },
      ...(headers ? { headers } : {}),
    };
  }
  const profile = (urn: string, timestampMillis: number, traceId = upsertTrace) => changeLog(urn, 'datasetProfile', { timestampMillis, rowCount: 1 }, traceId);

  /** Produces in order to one topic, each message keyed by its URN; answers the send's metadata per partition. */
  async function produce(topic: string, logs: MetadataChangeLog[]): Promise<RecordMetadata[]> {
    return producer.send({ topic, messages: logs.map((log) => ({ key: log.entityUrn, value: JSON.stringify(log) })) });
  }

  /** Waits until the MAE group committed everything produced so far on `topic`. */
  async function allCommitted(topic: string): Promise<void> {
    const ends = await admin.fetchTopicOffsets(topic);
    await eventually(
      async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: env.MAE_CONSUMER_GROUP, topics: [topic] });
        // A partition nothing was produced to has no commit (-1) and nothing to wait for.
        return ends.every(
          (end) => end.high === '0' || BigInt(offsets.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1') >= BigInt(end.high),
        );
      },
      (done) => done,
      60000,
    );
  }

  async function eventTimes(aspectIndex: string, urn: string): Promise<number[]> {
    const res = await os.search({ index: `${prefix}${aspectIndex}`, body: { size: 100, query: { term: { urn } } } });
    return res.body.hits.hits.map((h) => (h._source as Doc).timestampMillis as number).sort((a, b) => a - b);
  }
  const profileTimes = (urn: string) => eventTimes('dataset_datasetprofileaspect_v1', urn);
  const operationTimes = (urn: string) => eventTimes('dataset_operationaspect_v1', urn);

  async function systemMetadataDoc(urn: string, aspect: string): Promise<Doc | undefined> {
    const res = await os.get({ index: `${prefix}system_metadata_service_v1`, id: systemMetadataDocId(urn, aspect) }, { ignore: [404] });
    return res.body.found ? (res.body._source as Doc) : undefined;
  }

  beforeAll(async () => {
    mae = await AppProcess.start('mae-consumer', env);
    await mae.waitHealthy();
    producer = kafka().producer();
    admin = kafka().admin();
    await Promise.all([producer.connect(), admin.connect()]);
    os = search();

    await produce(env.TOPIC_MCL_TIMESERIES, [
      ...times.map((t) => profile(urnA, t)),
      ...times.map((t) => profile(urnB, t)),
      changeLog(urnB, 'operation', { timestampMillis: T, operationType: 'INSERT', lastUpdatedTimestamp: T }, upsertTrace),
    ]);
    await allCommitted(env.TOPIC_MCL_TIMESERIES);
    expect(await profileTimes(urnA)).toEqual(times);
    expect(await profileTimes(urnB)).toEqual(times);
    expect(await operationTimes(urnB)).toEqual([T]);
  }, 120000);

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await os?.close();
    if (gms) expect(await gms.stop('SIGTERM', 30000)).toBe(0);
    if (mae) expect(await mae.stop('SIGTERM', 30000)).toBe(0);
    await dropNamespace(env);
  });

  const deleteTrace = newTraceId();

  it('a timeseries DELETE removes exactly the events of its urn in its range (inclusive); an event written after it in the log survives', async () => {
    await produce(env.TOPIC_MCL_TIMESERIES, [
      changeLog(urnA, 'datasetProfile', null, deleteTrace, { [START_TIME_MILLIS_HEADER]: String(T + 1000), [END_TIME_MILLIS_HEADER]: String(T + 3000) }),
      // After the delete, on the same partition: written again, and not deleted by it.
      profile(urnA, T + 2000, newTraceId()),
    ]);
    await allCommitted(env.TOPIC_MCL_TIMESERIES);
    expect(await profileTimes(urnA)).toEqual([T, T + 2000, T + 4000]);
    expect(await profileTimes(urnB)).toEqual(times);
    expect(await systemMetadataDoc(urnA, 'datasetProfile')).toMatchObject({
      urn: urnA,
      aspect: 'datasetProfile',
      removed: true,
      telemetryTraceId: deleteTrace,
    });
    expect(await systemMetadataDoc(urnB, 'datasetProfile')).toBeUndefined();
  });

  it('a redelivered DELETE (the same change log again) deletes nothing more than it did', async () => {
    const del = changeLog(urnB, 'datasetProfile', null, newTraceId(), { [END_TIME_MILLIS_HEADER]: String(T) });
    await produce(env.TOPIC_MCL_TIMESERIES, [del, del]);
    await allCommitted(env.TOPIC_MCL_TIMESERIES);
    expect(await profileTimes(urnB)).toEqual(times.slice(1));
    expect(await profileTimes(urnA)).toEqual([T, T + 2000, T + 4000]);
  });

  it('traces the timeseries DELETE: NO_OP in primary storage, ACTIVE_STATE in search, HISTORIC_STATE after a later delete', async () => {
    gms = await AppProcess.start('gms', env);
    await gms.waitHealthy();
    const res = await eventually(
      () => traceWrite(gms.url, deleteTrace, { [urnA]: ['datasetProfile'] }),
      (r) => r.status === 200 && states(r.body, urnA, 'datasetProfile') === 'NO_OP/ACTIVE_STATE',
      30000,
      300,
    );
    expect(res.body[urnA].datasetProfile.success).toBe(true);
    // A trace id that never touched the aspect, with nothing on the topic: not ACTIVE.
    const other = await traceWrite(gms.url, newTraceId(), { [urnA]: ['datasetProfile'] });
    expect(states(other.body, urnA, 'datasetProfile')).not.toBe('NO_OP/ACTIVE_STATE');

    // A later delete (of a range with no events left) takes the document over: the first one is HISTORIC_STATE.
    const laterTrace = newTraceId();
    await produce(env.TOPIC_MCL_TIMESERIES, [changeLog(urnA, 'datasetProfile', null, laterTrace, { [END_TIME_MILLIS_HEADER]: String(T - 1) })]);
    await allCommitted(env.TOPIC_MCL_TIMESERIES);
    expect(states((await traceWrite(gms.url, laterTrace, { [urnA]: ['datasetProfile'] })).body, urnA, 'datasetProfile')).toBe('NO_OP/ACTIVE_STATE');
    expect(states((await traceWrite(gms.url, deleteTrace, { [urnA]: ['datasetProfile'] })).body, urnA, 'datasetProfile')).toBe('NO_OP/HISTORIC_STATE');
    expect(await profileTimes(urnA)).toEqual([T, T + 2000, T + 4000]);
  }, 90000);

  it('an entity delete (DELETE of its key aspect) removes every timeseries event of the urn written up to it, in every timeseries index', async () => {
    const deletedAt = Date.now();
    // An event of the entity created again after the delete (written later than the delete's lastObserved), indexed first.
    const recreated = profile(urnB, T + 9000);
    await produce(env.TOPIC_MCL_TIMESERIES, [{ ...recreated, systemMetadata: { ...recreated.systemMetadata!, lastObserved: deletedAt + 60000 } }]);
    await allCommitted(env.TOPIC_MCL_TIMESERIES);
    await produce(env.TOPIC_MCL_VERSIONED, [
      { ...changeLog(urnB, 'datasetKey', null, newTraceId()), systemMetadata: { lastObserved: deletedAt, runId: 'no-run-id-provided', version: '1' } },
    ]);
    await allCommitted(env.TOPIC_MCL_VERSIONED);
    expect(await profileTimes(urnB)).toEqual([T + 9000]);
    expect(await operationTimes(urnB)).toEqual([]);
    expect(await profileTimes(urnA)).toEqual([T, T + 2000, T + 4000]);
  });
});
