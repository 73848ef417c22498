import { loadEntityRegistry } from '@lib/metadata';
import { AspectChange, aspectKey } from './aspect-change';
import { timeseriesDocId } from './doc-ids';
import { FakeSearchClient, Loose } from './testing/fake-search-client';
import { DELETIONS_PER_REQUEST, TimeseriesRepository } from './timeseries.repository';

const registry = loadEntityRegistry();
const A = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.a,PROD)';
const B = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.b,PROD)';
const TRACE = '00062c53a468cbd8a1b2c3d4e5f60718';
const PROFILE_INDEX = 't_dataset_datasetprofileaspect_v1';
const OPERATION_INDEX = 't_dataset_operationaspect_v1';

describe('TimeseriesRepository', () => {
  let search: FakeSearchClient;
  let repo: TimeseriesRepository;

  beforeEach(() => {
    search = new FakeSearchClient();
    repo = new TimeseriesRepository(search.asSearchClient(), registry);
  });

  describe('indexOperations', () => {
    it("indexes one document per event into the aspect's index, with the trace id", () => {
      const value = { timestampMillis: 1700000000000, rowCount: 10, partitionSpec: { partition: 'FULL_TABLE_SNAPSHOT', type: 'FULL_TABLE' }, messageId: 'm1' };
      const change: AspectChange = {
        entityType: 'dataset',
        urn: A,
        aspect: 'datasetProfile',
        value,
        systemMetadata: { lastObserved: 1700000000500, runId: 'run-1', properties: { telemetryTraceId: TRACE } },
      };
      const [op] = repo.indexOperations([change]);
      expect(op.action).toEqual({ index: { _index: PROFILE_INDEX, _id: timeseriesDocId(A, 1700000000000, 'FULL_TABLE_SNAPSHOT', 'm1') } });
      expect(op.document).toEqual({
        urn: A,
        timestampMillis: 1700000000000,
        partitionSpec: 'FULL_TABLE_SNAPSHOT',
        messageId: 'm1',
        runId: 'run-1',
        telemetryTraceId: TRACE,
        lastUpdated: 1700000000500,
        event: value,
      });
    });

    it('leaves out what the event does not have', () => {
      const [op] = repo.indexOperations([
        { entityType: 'dataset', urn: A, aspect: 'datasetProfile', value: { timestampMillis: 5 }, systemMetadata: { lastObserved: 6, runId: 'r' } },
      ]);
      expect(op.action).toEqual({ index: { _index: PROFILE_INDEX, _id: timeseriesDocId(A, 5) } });
      expect(op.document).toEqual({ urn: A, timestampMillis: 5, runId: 'r', lastUpdated: 6, event: { timestampMillis: 5 } });
    });
  });

  describe('findByTrace', () => {
    it("searches once over the aspects' indices and returns the pairs written by the trace", async () => {
      search.searchAnswer = () => ({
        aggregations: {
          sub: {
            buckets: [
              { key: PROFILE_INDEX, sub: { buckets: [{ key: A }, { key: B }] } },
              { key: OPERATION_INDEX, sub: { buckets: [{ key: B }] } },
            ],
          },
        },
      });
      const found = await repo.findByTrace(TRACE, [
        { urn: A, entityType: 'dataset', aspect: 'datasetProfile' },
        { urn: B, entityType: 'dataset', aspect: 'operation' },
        { urn: A, entityType: 'dataset', aspect: 'operation' },
      ]);
      expect(search.requests).toHaveLength(1);
      const request = search.calls('search')[0];
      expect(request.index).toEqual([PROFILE_INDEX, OPERATION_INDEX]);
      expect(request.ignore_unavailable).toBe(true);
      expect(request.body.query.bool.filter).toEqual([{ term: { telemetryTraceId: TRACE } }, { terms: { urn: [A, B] } }]);
      // B's datasetProfile was not asked about, so it is not reported.
      expect([...found].sort()).toEqual([aspectKey(A, 'datasetProfile'), aspectKey(B, 'operation')].sort());
    });

    it('answers empty when none of the indices exist (no aggregations in the answer)', async () => {
      search.searchAnswer = () => ({ hits: { hits: [] } });
      expect((await repo.findByTrace(TRACE, [{ urn: A, entityType: 'dataset', aspect: 'datasetProfile' }])).size).toBe(0);
    });

    it('makes no request when no pair is a timeseries aspect', async () => {
      const found = await repo.findByTrace(TRACE, [
        { urn: A, entityType: 'dataset', aspect: 'status' },
        { urn: A, entityType: 'nosuchentity', aspect: 'datasetProfile' },
      ]);
      expect(found.size).toBe(0);
      expect(search.requests).toHaveLength(0);
    });
  });

  describe('deleteEvents', () => {
    const filterOf = (request: Loose) => request.body.query.bool.filter;

    it('deletes the events of one urn in a time range (inclusive), refreshed, proceeding on conflicts', async () => {
      search.deleteByQueryAnswer = () => ({ deleted: 2, failures: [] });
      await expect(
        repo.deleteEvents([{ entityType: 'dataset', urn: A, aspect: 'datasetProfile', range: { startTimeMillis: 10, endTimeMillis: 20 } }]),
      ).resolves.toBe(2);
      expect(search.calls('deleteByQuery')).toEqual([
        {
          index: [PROFILE_INDEX],
          ignore_unavailable: true,
          allow_no_indices: true,
          conflicts: 'proceed',
          refresh: true,
          body: { query: { bool: { filter: [{ term: { urn: A } }, { range: { timestampMillis: { gte: 10, lte: 20, format: 'epoch_millis' } } }] } } },
        },
      ]);
    });

    it('leaves a missing bound open, and filters on the urn alone when both are missing', async () => {
      await repo.deleteEvents([{ entityType: 'dataset', urn: A, aspect: 'operation', range: { endTimeMillis: 20 } }]);
      await repo.deleteEvents([{ entityType: 'dataset', urn: A, aspect: 'operation', range: {} }]);
      const [bounded, all] = search.calls('deleteByQuery');
      expect(bounded.index).toEqual([OPERATION_INDEX]);
      expect(filterOf(bounded)[1]).toEqual({ range: { timestampMillis: { lte: 20, format: 'epoch_millis' } } });
      expect(filterOf(all)).toEqual([{ term: { urn: A } }]);
    });

    it('deletes the events of a deleted entity written up to the delete, in every timeseries index of its type', async () => {
      await repo.deleteEvents([{ entityType: 'dataset', urn: B, writtenUpTo: 1700000000000 }]);
      expect(search.calls('deleteByQuery')).toHaveLength(1);
      const [request] = search.calls('deleteByQuery');
      expect(request.index).toEqual([PROFILE_INDEX, OPERATION_INDEX]);
      // Not the events of an entity created again since.
      expect(filterOf(request)).toEqual([{ term: { urn: B } }, { range: { lastUpdated: { lte: 1700000000000 } } }]);
    });

    it('makes one request per set of target indices, whatever the number of deletions', async () => {
      const entity = (i: number) => ({ entityType: 'dataset', urn: `urn:li:dataset:(urn:li:dataPlatform:hive,db.e${i},PROD)`, writtenUpTo: i });
      await repo.deleteEvents([
        entity(1),
        { entityType: 'dataset', urn: A, aspect: 'datasetProfile', range: { startTimeMillis: 5 } },
        entity(2),
        { entityType: 'dataset', urn: B, aspect: 'datasetProfile', range: {} },
        entity(3),
      ]);
      const [entities, profiles] = search.calls('deleteByQuery');
      expect(search.calls('deleteByQuery')).toHaveLength(2);
      expect(entities.index).toEqual([PROFILE_INDEX, OPERATION_INDEX]);
      expect(entities.body.query.bool.minimum_should_match).toBe(1);
      expect(entities.body.query.bool.should.map((c: Loose) => c.bool.filter[1].range.lastUpdated.lte)).toEqual([1, 2, 3]);
      expect(profiles.index).toEqual([PROFILE_INDEX]);
      expect(profiles.body.query.bool.should).toEqual([
        { bool: { filter: [{ term: { urn: A } }, { range: { timestampMillis: { gte: 5, format: 'epoch_millis' } } }] } },
        { bool: { filter: [{ term: { urn: B } }] } },
      ]);
    });

    it(`puts at most ${DELETIONS_PER_REQUEST} deletions in one request`, async () => {
      const deletions = Array.from({ length: DELETIONS_PER_REQUEST + 1 }, (_, i) => ({
        entityType: 'dataset',
        urn: `urn:li:dataset:(urn:li:dataPlatform:hive,db.e${i},PROD)`,
        writtenUpTo: i,
      }));
      search.deleteByQueryAnswer = () => ({ deleted: 1, failures: [] });
      await expect(repo.deleteEvents(deletions)).resolves.toBe(2);
      expect(search.calls('deleteByQuery').map((r) => r.body.query.bool.should?.length ?? 1)).toEqual([DELETIONS_PER_REQUEST, 1]);
    });

    it('makes no request for an entity type without timeseries aspects, or for no deletions', async () => {
      await expect(repo.deleteEvents([{ entityType: 'corpuser', urn: 'urn:li:corpuser:jdoe', writtenUpTo: 1 }])).resolves.toBe(0);
      await expect(repo.deleteEvents([])).resolves.toBe(0);
      expect(search.requests).toHaveLength(0);
    });

    it('throws when documents could not be deleted, so the batch is redelivered', async () => {
      search.deleteByQueryAnswer = () => ({ deleted: 1, failures: [{ cause: { type: 'es_rejected_execution_exception', reason: 'queue full' } }] });
      await expect(repo.deleteEvents([{ entityType: 'dataset', urn: A, aspect: 'datasetProfile', range: {} }])).rejects.toThrow(
        /delete_by_query on t_dataset_datasetprofileaspect_v1 failed for 1 documents \(e\.g\. es_rejected_execution_exception: queue full\)/,
      );
    });
  });
});
