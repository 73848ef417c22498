import { Logger } from '@nestjs/common';
import { KafkaMessage } from 'kafkajs';
import { loadEntityRegistry, MetadataChangeLog } from '@lib/metadata';
import { BulkWriter, EntityDocumentRepository, SystemMetadataRepository, TimeseriesRepository, systemMetadataDocId } from '@lib/search';
import { FakeSearchClient, bulkActions, bulkDocuments } from '../../search/src/testing/fake-search-client';
import { ChangeLogProcessor } from './change-log.processor';

const registry = loadEntityRegistry();
const URN = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.orders,PROD)';
const TRACE = '00062c53a468cbd8a1b2c3d4e5f60718';

function mcl(aspectName: string, value: unknown, lastObserved = 1700000000000): MetadataChangeLog {
  return {
    entityType: 'dataset',
    entityUrn: URN,
    changeType: 'UPSERT',
    aspectName,
    aspect: { value: JSON.stringify(value), contentType: 'application/json' },
    systemMetadata: { lastObserved, runId: 'no-run-id-provided', version: '1', properties: { telemetryTraceId: TRACE, telemetryLog: 'false' } },
    created: { time: lastObserved, actor: 'urn:li:corpuser:jdoe' },
  };
}

function message(offset: number, value: unknown): KafkaMessage {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return { offset: String(offset), key: Buffer.from(URN), value: Buffer.from(text), timestamp: '0', attributes: 0, headers: {} } as KafkaMessage;
}

describe('ChangeLogProcessor', () => {
  let search: FakeSearchClient;
  let processor: ChangeLogProcessor;
  let errors: string[];

  beforeEach(() => {
    search = new FakeSearchClient();
    const client = search.asSearchClient();
    processor = new ChangeLogProcessor(
      registry,
      new BulkWriter(client),
      new EntityDocumentRepository(client, registry),
      new SystemMetadataRepository(client),
      new TimeseriesRepository(client, registry),
    );
    errors = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((msg: unknown) => void errors.push(String(msg)));
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('indexes a batch of versioned change logs as one bulk request: entity document, then system metadata', async () => {
    await processor.process({
      topic: 'MetadataChangeLog_Versioned_v1',
      partition: 1,
      messages: [message(10, mcl('status', { removed: false })), message(11, mcl('datasetProperties', { name: 'orders' }))],
    });
    expect(search.calls('bulk')).toHaveLength(1);
    const request = search.calls('bulk')[0];
    expect(bulkActions(request)).toEqual([
      { update: { _index: 't_datasetindex_v2', _id: URN, retry_on_conflict: 3 } },
      { index: { _index: 't_system_metadata_service_v1', _id: systemMetadataDocId(URN, 'status'), version: 1700000000000, version_type: 'external_gte' } },
      {
        index: {
          _index: 't_system_metadata_service_v1',
          _id: systemMetadataDocId(URN, 'datasetProperties'),
          version: 1700000000000,
          version_type: 'external_gte',
        },
      },
    ]);
    const [entity, status] = bulkDocuments(request);
    expect(entity.script.params.changes.map((c: { aspect: string }) => c.aspect)).toEqual(['status', 'datasetProperties']);
    expect(status).toMatchObject({ urn: URN, aspect: 'status', telemetryTraceId: TRACE, lastUpdated: 1700000000000 });
    // Versioned documents are read by real-time get: no need to wait for a refresh.
    expect(request.refresh).toBeUndefined();
  });

  it('makes one bulk request per partition batch, whatever its size (measured: 300 change logs of 100 URNs -> 1 request of 400 items)', async () => {
    const urns = Array.from({ length: 100 }, (_, i) => `urn:li:dataset:(urn:li:dataPlatform:hive,db.t${i},PROD)`);
    const messages = urns.flatMap((urn, i) =>
      ['status', 'datasetProperties', 'ownership'].map((aspect, j) => ({
        ...message(i * 3 + j, { ...mcl(aspect, aspect === 'ownership' ? { owners: [] } : {}), entityUrn: urn }),
        key: Buffer.from(urn),
      })),
    );
    await processor.process({ topic: 'MetadataChangeLog_Versioned_v1', partition: 0, messages });
    expect(search.calls('bulk')).toHaveLength(1);
    // One scripted upsert per URN, one system-metadata document per (URN, aspect).
    expect(bulkActions(search.calls('bulk')[0])).toHaveLength(100 + 300);
  });

  it('indexes timeseries change logs into their aspect index and waits until they are searchable', async () => {
    await processor.process({
      topic: 'MetadataChangeLog_Timeseries_v1',
      partition: 0,
      messages: [message(3, mcl('datasetProfile', { timestampMillis: 1700000000000, rowCount: 7 }))],
    });
    const request = search.calls('bulk')[0];
    expect(bulkActions(request).map((a) => a.index._index)).toEqual(['t_dataset_datasetprofileaspect_v1']);
    expect(bulkDocuments(request)[0]).toMatchObject({ urn: URN, telemetryTraceId: TRACE, event: { rowCount: 7 } });
    expect(request.refresh).toBe('wait_for');
  });

  it('logs and skips poison messages, indexing the rest of the batch', async () => {
    await processor.process({
      topic: 'MetadataChangeLog_Versioned_v1',
      partition: 2,
      messages: [message(40, 'not json'), message(41, mcl('status', { removed: true })), message(42, { ...mcl('status', {}), entityType: 'spaceship' })],
    });
    expect(errors).toEqual([
      expect.stringMatching(/^skipping unprocessable change log MetadataChangeLog_Versioned_v1\[2\]@40: not valid JSON/),
      expect.stringMatching(/^skipping unprocessable change log MetadataChangeLog_Versioned_v1\[2\]@42: URN .* is not of entity type "spaceship"/),
    ]);
    expect(bulkActions(search.calls('bulk')[0])).toHaveLength(2);
  });

  it('makes no request for a batch of poison only, so it is committed and skipped', async () => {
    await expect(processor.process({ topic: 't', partition: 0, messages: [message(1, '{')] })).resolves.toBeUndefined();
    expect(search.requests).toHaveLength(0);
  });

  it('throws when OpenSearch rejects any item, so the batch is not committed', async () => {
    search.bulkAnswer = () => ({
      errors: true,
      items: [
        { update: { status: 200, result: 'updated' } },
        { index: { status: 503, error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' } } },
      ],
    });
    await expect(processor.process({ topic: 't', partition: 0, messages: [message(5, mcl('status', {}))] })).rejects.toThrow(
      `OpenSearch rejected 1 of 2 bulk items: system metadata ${URN} status (503 unavailable_shards_exception: primary shard is not active)`,
    );
    expect(errors[0]).toMatch(/^indexing t\[0\]@5\.\.5 failed, not committing/);
  });

  it('throws when OpenSearch cannot be reached', async () => {
    search.bulkAnswer = () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:9200');
    };
    await expect(processor.process({ topic: 't', partition: 0, messages: [message(5, mcl('status', {}))] })).rejects.toThrow('ECONNREFUSED');
  });

  it('builds the same request for a redelivered batch (idempotent ids and versions)', async () => {
    const batch = { topic: 't', partition: 0, messages: [message(1, mcl('status', {})), message(2, mcl('datasetProfile', { timestampMillis: 9 }))] };
    await processor.process(batch);
    await processor.process(batch);
    const [first, second] = search.calls('bulk');
    expect(second.body).toEqual(first.body);
  });
});
