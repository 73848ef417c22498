import { Logger } from '@nestjs/common';
import { loadEntityRegistry } from '@lib/metadata';
import { Metrics } from '@lib/metrics';
import { BulkWriter, EntityDocumentRepository, SystemMetadataRepository, TimeseriesRepository } from '@lib/search';
import { FakeSearchClient } from '../../search/src/testing/fake-search-client';
import { ChangeLogProcessor } from './change-log.processor';
import { changeLog, FakePublisher, kafkaMessage, SETTINGS } from './testing/fixtures';

const registry = loadEntityRegistry();

describe('ChangeLogProcessor metrics', () => {
  let search: FakeSearchClient;
  let metrics: Metrics;
  let processor: ChangeLogProcessor;

  beforeEach(() => {
    search = new FakeSearchClient();
    metrics = new Metrics();
    const client = search.asSearchClient();
    processor = new ChangeLogProcessor(
      registry,
      new BulkWriter(client),
      new EntityDocumentRepository(client, registry),
      new SystemMetadataRepository(client),
      new TimeseriesRepository(client, registry),
      new FakePublisher().asPublisher(),
      SETTINGS,
      metrics,
    );
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('counts the change logs indexed (not the unprocessable ones it skipped)', async () => {
    await processor.process({
      topic: 't',
      partition: 0,
      messages: [
        kafkaMessage(1, changeLog('status', { removed: false })),
        kafkaMessage(2, '{'),
        kafkaMessage(3, changeLog('datasetProfile', { timestampMillis: 9 })),
      ],
    });
    expect((await metrics.changeLogsIndexed.get()).values[0].value).toBe(2);
  });

  it('counts an OpenSearch error, and nothing indexed, when the bulk request fails', async () => {
    search.bulkAnswer = () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:9200');
    };
    await expect(processor.process({ topic: 't', partition: 0, messages: [kafkaMessage(5, changeLog('status', {}))] })).rejects.toThrow('ECONNREFUSED');
    expect((await metrics.changeLogsIndexed.get()).values[0].value).toBe(0);
    expect((await metrics.dependencyErrors.get()).values).toEqual([
      expect.objectContaining({ labels: { dependency: 'opensearch', operation: 'bulk_index' }, value: 1 }),
    ]);
  });

  it('counts the items re-sent after a retriable failure, and the documents refused (400) by index', async () => {
    processor.backoff = { initialDelayMs: 1, maxDelayMs: 2 };
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    let n = 0;
    // Round 1: the entity update throttled, the system-metadata document refused; round 2: all fine.
    search.bulkAnswer = (req) =>
      n++ === 0
        ? {
            errors: true,
            items: [
              { update: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } },
              { index: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse' } } },
            ],
          }
        : { errors: false, items: (req.body as unknown[]).filter((_, i) => i % 2 === 0).map(() => ({ update: { status: 200, result: 'updated' } })) };
    await processor.process({ topic: 't', partition: 0, messages: [kafkaMessage(7, changeLog('status', { removed: false }))] });
    expect((await metrics.searchBulkItemsResent.get()).values[0].value).toBe(1);
    expect((await metrics.searchDocumentsRefused.get()).values).toEqual([
      expect.objectContaining({ labels: { index: 't_system_metadata_service_v1' }, value: 1 }),
    ]);
    expect((await metrics.changeLogsIndexed.get()).values[0].value).toBe(1);
    expect((await metrics.dependencyErrors.get()).values).toEqual([]);
  });
});
