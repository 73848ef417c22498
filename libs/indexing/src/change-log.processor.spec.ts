import { Logger } from '@nestjs/common';
import { loadEntityRegistry, MetadataChangeLog } from '@lib/metadata';
import { BulkWriter, EntityDocumentRepository, SystemMetadataRepository, TimeseriesRepository, systemMetadataDocId } from '@lib/search';
import { FakeSearchClient, Loose, bulkActions, bulkDocuments } from '../../search/src/testing/fake-search-client';
import { ChangeLogProcessor } from './change-log.processor';
import { changeLog, FakePublisher, kafkaMessage, LAST_OBSERVED, SETTINGS, TRACE_ID, URN } from './testing/fixtures';

const registry = loadEntityRegistry();

describe('ChangeLogProcessor', () => {
  let search: FakeSearchClient;
  let processor: ChangeLogProcessor;
  let errors: string[];
  let publisher: FakePublisher;
  const deadLetters = () =>
    publisher.sent.map((r) => ({ topic: r.topic, key: r.key, ...(JSON.parse(r.value) as { error: string; metadataChangeLog: unknown }) }));

  beforeEach(() => {
    search = new FakeSearchClient();
    publisher = new FakePublisher();
    const client = search.asSearchClient();
    processor = new ChangeLogProcessor(
      registry,
      new BulkWriter(client),
      new EntityDocumentRepository(client, registry),
      new SystemMetadataRepository(client),
      new TimeseriesRepository(client, registry),
      publisher.asPublisher(),
      SETTINGS,
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
      messages: [kafkaMessage(10, changeLog('status', { removed: false })), kafkaMessage(11, changeLog('datasetProperties', { name: 'orders' }))],
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
    expect(status).toMatchObject({ urn: URN, aspect: 'status', telemetryTraceId: TRACE_ID, lastUpdated: 1700000000000 });
    // Versioned documents are read by real-time get: no need to wait for a refresh.
    expect(request.refresh).toBeUndefined();
  });

  it('makes one bulk request per partition batch, whatever its size (measured: 300 change logs of 100 URNs -> 1 request of 400 items)', async () => {
    const urns = Array.from({ length: 100 }, (_, i) => `urn:li:dataset:(urn:li:dataPlatform:hive,db.t${i},PROD)`);
    const messages = urns.flatMap((urn, i) =>
      ['status', 'datasetProperties', 'ownership'].map((aspect, j) =>
        kafkaMessage(i * 3 + j, { ...changeLog(aspect, aspect === 'ownership' ? { owners: [] } : {}), entityUrn: urn }, urn),
      ),
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
      messages: [kafkaMessage(3, changeLog('datasetProfile', { timestampMillis: 1700000000000, rowCount: 7 }))],
    });
    const request = search.calls('bulk')[0];
    expect(bulkActions(request).map((a) => a.index._index)).toEqual(['t_dataset_datasetprofileaspect_v1']);
    expect(bulkDocuments(request)[0]).toMatchObject({ urn: URN, telemetryTraceId: TRACE_ID, event: { rowCount: 7 } });
    expect(request.refresh).toBe('wait_for');
  });

  describe('deletes of timeseries events', () => {
    const URN_B = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.customers,PROD)';
    const TS_TOPIC = 'MetadataChangeLog_Timeseries_v1';
    const DELETE_TRACE = '00062c53a468cbd9ffffffffffffffff';
    const profile = (timestampMillis: number, urn = URN) => ({ ...changeLog('datasetProfile', { timestampMillis }), entityUrn: urn });
    const tsDelete = (headers?: Record<string, string>, urn = URN, lastObserved = 1700000000900): MetadataChangeLog => {
      const { aspect: _value, ...log } = changeLog('datasetProfile', {}, lastObserved);
      return {
        ...log,
        entityUrn: urn,
        changeType: 'DELETE',
        systemMetadata: { ...log.systemMetadata!, properties: { telemetryTraceId: DELETE_TRACE } },
        ...(headers ? { headers } : {}),
      };
    };
    /** The order of requests, as `deleteByQuery <urn>` / `bulk`. */
    /** The URNs a delete_by_query deletes events of: one filter, or a `should` of them. */
    const urnsOf = (request: Loose): string[] =>
      (request.body.query.bool.should ?? [request.body.query]).map((clause: Loose) => clause.bool.filter[0].term.urn as string);
    const order = () => search.requests.map((r) => (r.api === 'deleteByQuery' ? `deleteByQuery ${urnsOf(r.request).join(' ')}` : r.api));
    const indexedEvents = () =>
      search.calls('bulk').flatMap((req) =>
        bulkDocuments(req)
          .filter((d) => d.event)
          .map((d) => `${d.urn === URN ? 'A' : 'B'}@${d.timestampMillis}`),
      );

    it('deletes the events of the urn in the range, then writes the system-metadata document removed, with the trace id', async () => {
      await processor.process({ topic: TS_TOPIC, partition: 0, messages: [kafkaMessage(7, tsDelete({ startTimeMillis: '100', endTimeMillis: '200' }))] });
      expect(order()).toEqual([`deleteByQuery ${URN}`, 'bulk']);
      const [query] = search.calls('deleteByQuery');
      expect(query).toMatchObject({ index: ['t_dataset_datasetprofileaspect_v1'], conflicts: 'proceed', refresh: true });
      expect(query.body.query.bool.filter).toEqual([{ term: { urn: URN } }, { range: { timestampMillis: { gte: 100, lte: 200, format: 'epoch_millis' } } }]);
      const [bulk] = search.calls('bulk');
      expect(bulkActions(bulk)).toEqual([
        {
          index: {
            _index: 't_system_metadata_service_v1',
            _id: systemMetadataDocId(URN, 'datasetProfile'),
            version: 1700000000900,
            version_type: 'external_gte',
          },
        },
      ]);
      expect(bulkDocuments(bulk)).toEqual([
        { urn: URN, aspect: 'datasetProfile', runId: 'no-run-id-provided', lastUpdated: 1700000000900, removed: true, telemetryTraceId: DELETE_TRACE },
      ]);
      expect(errors).toEqual([]);
    });

    it('keeps log order within a batch: an event before a delete that covers it is not written, one after it is', async () => {
      await processor.process({
        topic: TS_TOPIC,
        partition: 0,
        messages: [
          kafkaMessage(1, profile(100)), // deleted by offset 4
          kafkaMessage(2, profile(300)), // outside the range: kept
          kafkaMessage(3, profile(150, URN_B), URN_B), // another URN: kept
          kafkaMessage(4, tsDelete({ startTimeMillis: '100', endTimeMillis: '200' })),
          kafkaMessage(5, profile(150)), // after the delete: survives it
        ],
      });
      // The delete runs before the one bulk request; the bulk request writes what the log order leaves.
      expect(order()).toEqual([`deleteByQuery ${URN}`, 'bulk']);
      expect(indexedEvents()).toEqual(['A@300', 'B@150', 'A@150']);
      expect(bulkDocuments(search.calls('bulk')[0]).filter((d) => d.removed === true)).toHaveLength(1);
    });

    it('an unbounded delete covers every earlier event of its urn and aspect; the deletes of one index go in one request', async () => {
      await processor.process({
        topic: TS_TOPIC,
        partition: 0,
        messages: [
          kafkaMessage(1, profile(1)),
          kafkaMessage(2, tsDelete(undefined, URN_B)),
          kafkaMessage(3, profile(9_000_000_000_000)),
          kafkaMessage(4, tsDelete()),
          kafkaMessage(5, profile(5)),
        ],
      });
      expect(order()).toEqual([`deleteByQuery ${URN_B} ${URN}`, 'bulk']);
      expect(search.calls('deleteByQuery')[0].body.query.bool.should[1]).toEqual({ bool: { filter: [{ term: { urn: URN } }] } });
      expect(indexedEvents()).toEqual(['A@5']);
    });

    it('a batch of many entity deletes makes one delete_by_query', async () => {
      const { aspect: _value, ...keyDelete } = changeLog('datasetKey', {});
      const urns = Array.from({ length: 50 }, (_, i) => `urn:li:dataset:(urn:li:dataPlatform:hive,db.gone${i},PROD)`);
      await processor.process({
        topic: 'MetadataChangeLog_Versioned_v1',
        partition: 0,
        messages: urns.map((urn, i) => kafkaMessage(i, { ...keyDelete, entityUrn: urn, changeType: 'DELETE' }, urn)),
      });
      expect(order()).toEqual([`deleteByQuery ${urns.join(' ')}`, 'bulk']);
    });

    it('a delete of an entity key aspect also deletes every timeseries event of the entity', async () => {
      const { aspect: _value, ...keyDelete } = changeLog('datasetKey', {});
      await processor.process({
        topic: 'MetadataChangeLog_Versioned_v1',
        partition: 0,
        messages: [kafkaMessage(1, { ...keyDelete, changeType: 'DELETE' }), kafkaMessage(2, { ...changeLog('status', {}), entityUrn: URN_B })],
      });
      expect(order()).toEqual([`deleteByQuery ${URN}`, 'bulk']);
      const [query] = search.calls('deleteByQuery');
      expect(query.index).toEqual(['t_dataset_datasetprofileaspect_v1', 't_dataset_operationaspect_v1']);
      expect(query.body.query.bool.filter).toEqual([{ term: { urn: URN } }, { range: { lastUpdated: { lte: LAST_OBSERVED } } }]);
      // The entity document goes with its key (the script), as before.
      const [entity] = bulkDocuments(search.calls('bulk')[0]);
      expect(entity.script.params.changes).toEqual([expect.objectContaining({ aspect: 'datasetKey', deleted: true })]);
    });

    it('deletes nothing but the aspect for a DELETE of another versioned aspect', async () => {
      const { aspect: _value, ...statusDelete } = changeLog('status', {});
      await processor.process({
        topic: 'MetadataChangeLog_Versioned_v1',
        partition: 0,
        messages: [kafkaMessage(1, { ...statusDelete, changeType: 'DELETE' })],
      });
      expect(search.calls('deleteByQuery')).toEqual([]);
    });

    it('an entity delete covers the earlier events of the entity in a mixed batch, not the later ones', async () => {
      const { aspect: _value, ...keyDelete } = changeLog('datasetKey', {});
      await processor.process({
        topic: 't',
        partition: 0,
        messages: [kafkaMessage(1, profile(10)), kafkaMessage(2, { ...keyDelete, changeType: 'DELETE' }), kafkaMessage(3, profile(20))],
      });
      expect(indexedEvents()).toEqual(['A@20']);
    });

    it('throws without writing anything more when a delete fails, so the batch is redelivered; the redelivery makes the same requests', async () => {
      const batch = {
        topic: TS_TOPIC,
        partition: 3,
        messages: [kafkaMessage(1, profile(5)), kafkaMessage(2, tsDelete({ endTimeMillis: '10' })), kafkaMessage(3, profile(7))],
      };
      search.deleteByQueryAnswer = () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:9200');
      };
      await expect(processor.process(batch)).rejects.toThrow('ECONNREFUSED');
      expect(order()).toEqual([`deleteByQuery ${URN}`]);
      expect(errors).toEqual([
        expect.stringMatching(
          /^deleting timeseries events from MetadataChangeLog_Timeseries_v1\[3\] \(1 deletions, e\.g\. datasetProfile events of .*\) failed, not committing: connect ECONNREFUSED/,
        ),
      ]);

      search.deleteByQueryAnswer = () => ({ deleted: 0, failures: [] });
      await processor.process(batch);
      await processor.process(batch);
      const [, second, third] = search.calls('deleteByQuery');
      expect(third).toEqual(second);
      const [bulk1, bulk2] = search.calls('bulk');
      expect(bulk2.body).toEqual(bulk1.body);
      expect(indexedEvents()).toEqual(['A@7', 'A@7']);
    });

    it('skips a timeseries DELETE with a malformed range as unprocessable', async () => {
      await processor.process({ topic: TS_TOPIC, partition: 0, messages: [kafkaMessage(1, tsDelete({ startTimeMillis: 'soon' }))] });
      expect(search.requests).toEqual([]);
      expect(errors).toEqual([expect.stringContaining('timeseries DELETE: startTimeMillis must be epoch milliseconds')]);
    });
  });

  it('sends unreadable change logs to the dead-letter topic with the reason, indexing the rest of the batch', async () => {
    await processor.process({
      topic: 'MetadataChangeLog_Versioned_v1',
      partition: 2,
      messages: [
        kafkaMessage(40, 'not json'),
        kafkaMessage(41, changeLog('status', { removed: true })),
        kafkaMessage(42, { ...changeLog('status', {}), entityType: 'spaceship' }),
      ],
    });
    expect(errors).toEqual([
      expect.stringMatching(/^unprocessable change log MetadataChangeLog_Versioned_v1\[2\]@40: not valid JSON/),
      expect.stringMatching(/^unprocessable change log MetadataChangeLog_Versioned_v1\[2\]@42: URN .* is not of entity type "spaceship"/),
    ]);
    expect(bulkActions(search.calls('bulk')[0])).toHaveLength(2);
    const [notJson, spaceship] = deadLetters();
    expect(notJson).toMatchObject({ topic: 'FailedMetadataChangeLog_v1', metadataChangeLog: { raw: 'not json' } });
    expect(JSON.parse(notJson.error)[0]).toMatchObject({ exceptionClass: 'UnprocessableChangeLog', message: expect.stringMatching(/^not valid JSON/) });
    expect(spaceship.metadataChangeLog).toMatchObject({ entityType: 'spaceship', entityUrn: URN });
    expect(JSON.parse(spaceship.error)[0].message).toMatch(/is not of entity type "spaceship"/);
  });

  it('makes no index request for a batch of unreadable messages only, and commits once they are dead-lettered', async () => {
    await expect(processor.process({ topic: 't', partition: 0, messages: [kafkaMessage(1, '{')] })).resolves.toBeUndefined();
    expect(search.requests).toHaveLength(0);
    expect(deadLetters()).toHaveLength(1);
  });

  it('does not commit a batch whose dead letters Kafka did not take (it is redelivered)', async () => {
    publisher.fail = new Error('Kafka is down');
    await expect(processor.process({ topic: 't', partition: 0, messages: [kafkaMessage(1, '{')] })).rejects.toThrow('Kafka is down');
  });

  it('dead-letters a message PoisonGuard hands it, keyed as it came, with the exception', async () => {
    await processor.deadLetter({ topic: 't', partition: 0, messages: [kafkaMessage(5, changeLog('status'))] }, new Error('painless script error'));
    const [letter] = deadLetters();
    expect(letter.metadataChangeLog).toMatchObject({ entityUrn: URN, aspectName: 'status' });
    expect(JSON.parse(letter.error)[0]).toMatchObject({ message: 'painless script error' });
  });

  describe('a bulk request some of whose items fail', () => {
    const URN_B = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.customers,PROD)';
    const ok = { status: 201, result: 'created' };
    const fail = (status: number, type: string) => ({ status, error: { type, reason: 'try later' } });
    /** Item keys of a bulk request: `entity <urn>` or `sm <urn> <aspect>`, in order. */
    const keys = (request: Loose) => {
      const docs = bulkDocuments(request);
      return bulkActions(request).map((a, i) => (a.update ? `entity ${a.update._id}` : `sm ${docs[i].urn} ${docs[i].aspect}`));
    };
    /** The action and document lines of the items of `request` whose keys are `wanted`. */
    const linesOf = (request: Loose, wanted: string[]) =>
      keys(request).flatMap((k, i) => (wanted.includes(k) ? [bulkActions(request)[i], bulkDocuments(request)[i]] : []));
    const twoUrns = () => ({
      topic: 'MetadataChangeLog_Versioned_v1',
      partition: 4,
      messages: [
        kafkaMessage(20, changeLog('status', { removed: false })),
        kafkaMessage(21, { ...changeLog('status', { removed: true }, 1700000000500), entityUrn: URN_B }),
      ],
    });

    beforeEach(() => {
      processor.backoff = { initialDelayMs: 1, maxDelayMs: 5 };
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    });

    it('re-sends exactly the failed items until they succeed, and returns (lets the runner commit) only then', async () => {
      // What a ConsumerRunner does: commit once process() returned. Here: a flag the bulk answers look at.
      let committed = false;
      const seenCommitted: boolean[] = [];
      const answers = [
        // Round 1: entity B in a version conflict its retry_on_conflict did not resolve, system metadata of A unavailable; the two others succeed.
        (k: string[]) =>
          k.map((key) =>
            key === `entity ${URN_B}`
              ? fail(409, 'version_conflict_engine_exception')
              : key === `sm ${URN} status`
                ? fail(503, 'unavailable_shards_exception')
                : ok,
          ),
        // Round 2: entity B goes through; system metadata of A fails again, throttled.
        (k: string[]) => k.map((key) => (key === `sm ${URN} status` ? fail(429, 'es_rejected_execution_exception') : ok)),
      ];
      let n = 0;
      search.bulkAnswer = (req) => {
        seenCommitted.push(committed);
        const statuses = (answers[n++] ?? ((k: string[]) => k.map(() => ok)))(keys(req));
        return { errors: statuses.some((st) => st.status >= 300), items: statuses.map((st, i) => ({ [Object.keys(bulkActions(req)[i])[0]]: st })) };
      };
      await processor.process(twoUrns()).then(() => (committed = true));

      const [first, second, third] = search.calls('bulk');
      expect(search.calls('bulk')).toHaveLength(3);
      expect(keys(first)).toEqual([`entity ${URN}`, `entity ${URN_B}`, `sm ${URN} status`, `sm ${URN_B} status`]);
      expect(keys(second)).toEqual([`entity ${URN_B}`, `sm ${URN} status`]);
      expect(keys(third)).toEqual([`sm ${URN} status`]);
      // The re-sent lines are the original ones: same external_gte version, same script parameters (the entity
      // script's version check) - so a re-send is as idempotent as a redelivery, and cannot put an older write back.
      expect(second.body).toEqual(linesOf(first, [`entity ${URN_B}`, `sm ${URN} status`]));
      expect(third.body).toEqual(linesOf(first, [`sm ${URN} status`]));
      expect(bulkActions(third)[0].index).toMatchObject({ version: 1700000000000, version_type: 'external_gte' });
      expect(seenCommitted).toEqual([false, false, false]);
      expect(committed).toBe(true);
      expect(errors).toEqual([]);
    });

    it('keeps a timeseries batch waiting for search on every re-send', async () => {
      let n = 0;
      search.bulkAnswer = (req) => ({
        errors: n === 0,
        items: bulkActions(req).map(() => ({ index: n++ === 0 ? fail(429, 'es_rejected_execution_exception') : ok })),
      });
      await processor.process({
        topic: 'MetadataChangeLog_Timeseries_v1',
        partition: 0,
        messages: [kafkaMessage(3, changeLog('datasetProfile', { timestampMillis: 1700000000000 }))],
      });
      expect(search.calls('bulk').map((r) => r.refresh)).toEqual(['wait_for', 'wait_for']);
    });

    it('gives up when the consumer is stopping: throws, so the batch is not committed and is redelivered', async () => {
      processor.backoff = { initialDelayMs: 60000, maxDelayMs: 60000 };
      search.bulkAnswer = (req) => ({ errors: true, items: bulkActions(req).map(() => ({ index: fail(503, 'unavailable_shards_exception') })) });
      let committed = false;
      const processing = processor.process(twoUrns()).then(() => (committed = true));
      await new Promise((r) => setImmediate(r));
      processor.stop();
      await expect(processing).rejects.toThrow(/^OpenSearch rejected 4 of 4 bulk items: .*; stopping, so not retried here$/);
      expect(committed).toBe(false);
      expect(search.calls('bulk')).toHaveLength(1);
      expect(errors[0]).toMatch(/^indexing MetadataChangeLog_Versioned_v1\[4\]@20\.\.21 failed, not committing: OpenSearch rejected 4 of 4/);
    });

    it('logs an item refused with 400 at error level, with the item, and indexes the rest (not retried)', async () => {
      search.bulkAnswer = (req) => ({
        errors: true,
        items: keys(req).map((k) => ({
          index: k === `sm ${URN_B} status` ? { status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [runId]' } } : ok,
        })),
      });
      await processor.process(twoUrns());
      expect(search.calls('bulk')).toHaveLength(1);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(
        `OpenSearch refused system metadata ${URN_B} status from MetadataChangeLog_Versioned_v1[4]@20..21 (400 mapper_parsing_exception: failed to parse field [runId]); not indexed, not retried`,
      );
      expect(errors[0]).toContain(
        `Item: {"index":{"_index":"t_system_metadata_service_v1","_id":"${systemMetadataDocId(URN_B, 'status')}","version":1700000000500`,
      );
      expect(errors[0]).toContain(`"telemetryTraceId":"${TRACE_ID}"`);
      const [letter] = deadLetters();
      expect(deadLetters()).toHaveLength(1);
      expect(letter).toMatchObject({
        topic: 'FailedMetadataChangeLog_v1',
        key: URN_B,
        metadataChangeLog: { entityUrn: URN_B, aspectName: 'status', changeType: 'UPSERT' },
      });
      expect(JSON.parse(letter.error)[0]).toMatchObject({
        exceptionClass: 'SearchDocumentRefused',
        message: `OpenSearch refused system metadata ${URN_B} status: 400 mapper_parsing_exception: failed to parse field [runId]`,
      });
    });

    it("writes a refused entity document's system-metadata documents again, recording the refusal, before returning", async () => {
      const refusedEntity = { status: 400, error: { type: 'illegal_argument_exception', reason: 'Document contains at least one immense term' } };
      search.bulkAnswer = (req) => ({
        errors: true,
        items: keys(req).map((k) => ({ [k.startsWith('entity') ? 'update' : 'index']: k === `entity ${URN_B}` ? refusedEntity : ok })),
      });
      await processor.process(twoUrns());

      const [first, second] = search.calls('bulk');
      expect(search.calls('bulk')).toHaveLength(2);
      expect(keys(first)).toEqual([`entity ${URN}`, `entity ${URN_B}`, `sm ${URN} status`, `sm ${URN_B} status`]);
      // Only the refused URN's writes, under the version the first request used: a newer write's document would win.
      expect(keys(second)).toEqual([`sm ${URN_B} status`]);
      expect(bulkActions(second)[0].index).toMatchObject({ _id: systemMetadataDocId(URN_B, 'status'), version: 1700000000500, version_type: 'external_gte' });
      const message = `OpenSearch refused entity ${URN_B} status: 400 illegal_argument_exception: Document contains at least one immense term`;
      expect(bulkDocuments(second)[0]).toMatchObject({ urn: URN_B, telemetryTraceId: TRACE_ID, refusal: { message, exceptionClass: 'SearchDocumentRefused' } });
      // The first request's system-metadata documents carry no refusal.
      expect(bulkDocuments(first).filter((d: { refusal?: unknown }) => d.refusal !== undefined)).toEqual([]);
      expect(deadLetters().map((l) => [l.key, JSON.parse(l.error)[0].message])).toEqual([[URN_B, message]]);
    });
  });

  it('throws when OpenSearch cannot be reached', async () => {
    search.bulkAnswer = () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:9200');
    };
    await expect(processor.process({ topic: 't', partition: 0, messages: [kafkaMessage(5, changeLog('status', {}))] })).rejects.toThrow('ECONNREFUSED');
  });

  it('builds the same request for a redelivered batch (idempotent ids and versions)', async () => {
    const batch = {
      topic: 't',
      partition: 0,
      messages: [kafkaMessage(1, changeLog('status', {})), kafkaMessage(2, changeLog('datasetProfile', { timestampMillis: 9 }))],
    };
    await processor.process(batch);
    await processor.process(batch);
    const [first, second] = search.calls('bulk');
    expect(second.body).toEqual(first.body);
  });
});
