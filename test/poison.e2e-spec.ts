import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ConfigResourceTypes } from 'kafkajs';
import { partitionForKey } from '@lib/kafka';
import { entityIndexName } from '@lib/metadata';
import { SYSTEM_METADATA_INDEX, systemMetadataDocId } from '@lib/search';
import { AppProcess } from './support/app-process';
import { request } from './support/http';
import { dropNamespace, ownNamespace } from './support/namespace';
import { eventually } from './support/poll';
import { REPO_ROOT } from './support/stack-env';
import { kafka, search } from './support/stores';
import { messageCount, messagesWithKey } from './support/topics';
import { states, traceIdOf, traceWrite } from './support/trace-client';

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const urnOf = (name: string) => `urn:li:dataset:(urn:li:dataPlatform:hive,pm_${run}.${name},PROD)`;
const PARTITIONS = 3;
/** Change logs larger than this are refused by the broker (the MCL topic's max.message.bytes, set by the test). */
const MCL_MAX_BYTES = 6000;

type Trace = Record<string, Record<string, { success: boolean; primaryStorage: { writeStatus: string }; searchStorage: Status }>>;
interface Status {
  writeStatus: string;
  writeExceptions?: { message: string; exceptionClass: string }[];
}

/** `count` URNs named `${prefix}N` that land on `partition` of a topic of PARTITIONS partitions. */
function urnsOnPartition(prefix: string, partition: number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) if (partitionForKey(urnOf(`${prefix}${i}`), PARTITIONS) === partition) out.push(urnOf(`${prefix}${i}`));
  return out;
}

/**
 * Messages a consumer can never process, on the real stack, each in a namespace of its own: the message goes to
 * its consumer's failed topic with the exception after bounded tries, its trace says search ERROR with that
 * exception, and the writes behind it on the same partition settle.
 */
describe('poison messages: bounded tries, then the failed topic, and the partition moves on', () => {
  const asyncWrite = (gms: AppProcess, urn: string, aspects: Record<string, unknown>) =>
    request('POST', `${gms.url}/openapi/v3/entity/dataset`, [{ urn, ...aspects }]);
  const searchOf = async (gms: AppProcess, traceId: string, urn: string, aspect: string): Promise<Status | undefined> =>
    ((await traceWrite(gms.url, traceId, { [urn]: [aspect] })).body as Trace)[urn]?.[aspect]?.searchStorage;

  describe('MCE: a change log larger than the broker takes (the proposal itself fits)', () => {
    const env = ownNamespace(`pm${run}`);
    let gms: AppProcess;

    beforeAll(async () => {
      gms = await AppProcess.start('gms', { ...env, GMS_WORKERS: '1', RUN_CONSUMERS: 'mce,mae', CONSUMER_POISON_BACKOFF_MS: '50' });
      await gms.waitHealthy();
      const admin = kafka().admin();
      await admin.connect();
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: env.TOPIC_MCL_VERSIONED, configEntries: [{ name: 'max.message.bytes', value: String(MCL_MAX_BYTES) }] },
        ],
      });
      await admin.disconnect();
    }, 120000);

    afterAll(async () => {
      await gms?.stop();
      await dropNamespace(env);
    });

    it("sends it to the failed-proposal topic with the broker's reason; its trace is ACTIVE_STATE in SQL, ERROR in search; the writes behind it settle", async () => {
      const [big, ...others] = urnsOnPartition('mce', 0, 4);
      // Written as one batch with the others behind it on the same partition.
      const bigWrite = await asyncWrite(gms, big, { datasetProperties: { value: { description: 'x'.repeat(MCL_MAX_BYTES) } } });
      expect(bigWrite.status).toBe(202);
      const behind = await Promise.all(others.map((urn) => asyncWrite(gms, urn, { status: { value: { removed: false } } })));
      const bigTrace = traceIdOf(bigWrite.headers.get('traceparent'));

      const search = await eventually(
        () => searchOf(gms, bigTrace, big, 'datasetProperties'),
        (s) => s?.writeStatus === 'ERROR',
        60000,
        200,
      );
      expect(search?.writeExceptions?.[0].message).toMatch(/larger than the max message size/);
      const trace = (await traceWrite(gms.url, bigTrace, { [big]: ['datasetProperties'] })).body as Trace;
      expect(trace[big].datasetProperties).toMatchObject({ success: false, primaryStorage: { writeStatus: 'ACTIVE_STATE' } });

      for (const [i, urn] of others.entries()) {
        const traceId = traceIdOf(behind[i].headers.get('traceparent'));
        await eventually(
          async () => states((await traceWrite(gms.url, traceId, { [urn]: ['status'] })).body, urn, 'status'),
          (s) => s === 'ACTIVE_STATE/ACTIVE_STATE',
          30000,
        );
      }
      const failed = await messagesWithKey(kafka(), env.TOPIC_FAILED_MCP, big);
      expect(failed).toHaveLength(1);
      expect(JSON.parse(failed[0].value).metadataChangeProposal.aspectName).toBe('datasetProperties');
      // Nothing else was dead-lettered: only the write at fault.
      expect(await messageCount(kafka(), env.TOPIC_FAILED_MCP)).toBe(1n);
      expect(await messageCount(kafka(), env.TOPIC_FAILED_MCL)).toBe(0n);
    }, 90000);
  });

  describe('MAE: a change log its registry rejects (the MAE consumer runs a registry without the aspect)', () => {
    const env = ownNamespace(`pa${run}`);
    let gms: AppProcess;
    let mce: AppProcess;
    let mae: AppProcess;

    beforeAll(async () => {
      const registry = JSON.parse(readFileSync(join(REPO_ROOT, 'libs/metadata/registry/entity-registry.json'), 'utf8'));
      const dataset = registry.entities.find((e: { name: string }) => e.name === 'dataset');
      dataset.aspects = dataset.aspects.filter((a: string) => a !== 'ownership');
      const path = join(mkdtempSync(join(tmpdir(), 'registry-')), 'entity-registry.json');
      writeFileSync(path, JSON.stringify(registry));
      gms = await AppProcess.start('gms', { ...env, GMS_WORKERS: '1', RUN_CONSUMERS: '' });
      await gms.waitHealthy();
      [mce, mae] = await Promise.all([
        AppProcess.start('mce-consumer', env),
        AppProcess.start('mae-consumer', { ...env, ENTITY_REGISTRY_PATH: path, SETUP_ON_START: 'false', CONSUMER_POISON_BACKOFF_MS: '50' }),
      ]);
      await Promise.all([mce.waitHealthy(), mae.waitHealthy()]);
    }, 120000);

    afterAll(async () => {
      await Promise.all([gms?.stop(), mce?.stop(), mae?.stop()]);
      await dropNamespace(env);
    });

    it('sends it to TOPIC_FAILED_MCL with the reason; its trace is search ERROR with that reason; later writes of the entity settle', async () => {
      const urn = urnOf('mae');
      const owned = await asyncWrite(gms, urn, { ownership: { value: { owners: [{ owner: 'urn:li:corpuser:ana', type: 'DATAOWNER' }] } } });
      expect(owned.status).toBe(202);
      const later = await asyncWrite(gms, urn, { status: { value: { removed: false } } });
      const ownedTrace = traceIdOf(owned.headers.get('traceparent'));

      const search = await eventually(
        () => searchOf(gms, ownedTrace, urn, 'ownership'),
        (s) => s?.writeStatus === 'ERROR',
        60000,
        200,
      );
      expect(search?.writeExceptions?.[0]).toMatchObject({ exceptionClass: 'UnprocessableChangeLog', message: 'entity "dataset" has no aspect "ownership"' });
      const laterTrace = traceIdOf(later.headers.get('traceparent'));
      await eventually(
        async () => states((await traceWrite(gms.url, laterTrace, { [urn]: ['status'] })).body, urn, 'status'),
        (s) => s === 'ACTIVE_STATE/ACTIVE_STATE',
        30000,
      );

      const letters = await messagesWithKey(kafka(), env.TOPIC_FAILED_MCL, urn);
      expect(letters).toHaveLength(1);
      expect(JSON.parse(letters[0].value).metadataChangeLog).toMatchObject({ entityUrn: urn, aspectName: 'ownership' });
      expect(await messageCount(kafka(), env.TOPIC_FAILED_MCP)).toBe(0n);
    }, 90000);
  });

  describe('MAE: an entity document the index refuses (one left by another version, which the update script cannot read)', () => {
    const env = ownNamespace(`pr${run}`);
    const entityIndex = `${env.OPENSEARCH_INDEX_PREFIX}${entityIndexName('dataset')}`;
    let gms: AppProcess;

    beforeAll(async () => {
      gms = await AppProcess.start('gms', { ...env, GMS_WORKERS: '1', RUN_CONSUMERS: 'mce,mae' });
      await gms.waitHealthy();
    }, 120000);

    afterAll(async () => {
      await gms?.stop();
      await dropNamespace(env);
    });

    it("records the refusal on the write's system-metadata document: search ERROR with the reason, not ACTIVE_STATE; a dead letter; later writes settle", async () => {
      const [urn, next] = urnsOnPartition('refused', 0, 2);
      const client = search(env);
      await eventually(
        async () => (await client.indices.exists({ index: entityIndex })).body,
        (exists) => exists === true,
        30000,
      );
      // Where the script keeps {version, lastObserved} per aspect, a string: reading it fails the script (400).
      await client.index({
        index: entityIndex,
        id: urn,
        body: { urn, entityType: 'dataset', systemMetadata: { status: 'left by another version' } },
        refresh: true,
      });

      const refused = await asyncWrite(gms, urn, { status: { value: { removed: false } } });
      expect(refused.status).toBe(202);
      const behind = await asyncWrite(gms, next, { status: { value: { removed: false } } });
      const traceId = traceIdOf(refused.headers.get('traceparent'));

      const status = await eventually(
        () => searchOf(gms, traceId, urn, 'status'),
        (s) => s?.writeStatus !== undefined && s.writeStatus !== 'PENDING',
        60000,
        200,
      );
      expect(status?.writeStatus).toBe('ERROR');
      expect(status?.writeExceptions?.[0]).toMatchObject({ exceptionClass: 'SearchDocumentRefused' });
      expect(status?.writeExceptions?.[0].message).toMatch(/^OpenSearch refused entity \S+ [\w,]*\bstatus\b[\w,]*: 400 /);
      const trace = (await traceWrite(gms.url, traceId, { [urn]: ['status'] })).body as Trace;
      expect(trace[urn].status).toMatchObject({ success: false, primaryStorage: { writeStatus: 'ACTIVE_STATE' } });

      const doc = await client.get({ index: `${env.OPENSEARCH_INDEX_PREFIX}${SYSTEM_METADATA_INDEX}`, id: systemMetadataDocId(urn, 'status') });
      expect(doc.body._source).toMatchObject({ telemetryTraceId: traceId, refusal: { exceptionClass: 'SearchDocumentRefused' } });
      // One dead letter per change log the refused document carried: the write, and the key aspect of the entity's first write.
      const letters = await messagesWithKey(kafka(), env.TOPIC_FAILED_MCL, urn);
      expect(letters.map((l) => JSON.parse(l.value).metadataChangeLog.aspectName).sort()).toEqual(['datasetKey', 'status']);

      const behindTrace = traceIdOf(behind.headers.get('traceparent'));
      await eventually(
        async () => states((await traceWrite(gms.url, behindTrace, { [next]: ['status'] })).body, next, 'status'),
        (s) => s === 'ACTIVE_STATE/ACTIVE_STATE',
        30000,
      );
      await client.close();
    }, 90000);
  });
});
