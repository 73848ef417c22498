import { loadEntityRegistry } from '@lib/metadata';
import { AspectChange, aspectKey } from './aspect-change';
import { timeseriesDocId } from './doc-ids';
import { FakeSearchClient } from './testing/fake-search-client';
import { TimeseriesRepository } from './timeseries.repository';

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
});
