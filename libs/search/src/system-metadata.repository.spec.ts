import { AspectChange, aspectKey } from './aspect-change';
import { systemMetadataDocId } from './doc-ids';
import { SystemMetadataRepository } from './system-metadata.repository';
import { FakeSearchClient } from './testing/fake-search-client';

const URN = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.orders,PROD)';
const TRACE = '00062c53a468cbd8a1b2c3d4e5f60718';

function change(aspect: string, extra: Partial<AspectChange['systemMetadata']> = {}): AspectChange {
  return {
    entityType: 'dataset',
    urn: URN,
    aspect,
    value: {},
    systemMetadata: {
      lastObserved: 1700000000123,
      runId: 'run-1',
      version: '2',
      registryName: 'Default',
      registryVersion: '1.0.0',
      properties: { telemetryTraceId: TRACE },
      ...extra,
    },
  };
}

describe('SystemMetadataRepository', () => {
  let search: FakeSearchClient;
  let repo: SystemMetadataRepository;

  beforeEach(() => {
    search = new FakeSearchClient();
    repo = new SystemMetadataRepository(search.asSearchClient());
  });

  describe('upsertOperations', () => {
    it('writes the contract fields under the deterministic id, versioned by lastObserved', () => {
      const [op] = repo.upsertOperations([change('status')]);
      expect(op.action).toEqual({
        index: { _index: 't_system_metadata_service_v1', _id: systemMetadataDocId(URN, 'status'), version: 1700000000123, version_type: 'external_gte' },
      });
      expect(op.document).toEqual({
        urn: URN,
        aspect: 'status',
        runId: 'run-1',
        lastUpdated: 1700000000123,
        removed: false,
        telemetryTraceId: TRACE,
        registryName: 'Default',
        registryVersion: '1.0.0',
      });
      expect(op.conflictMeansStale).toBe(true);
    });

    it('leaves out fields the change log does not carry (no stale trace id survives)', () => {
      const [op] = repo.upsertOperations([change('status', { properties: {}, registryName: undefined, registryVersion: undefined })]);
      expect(op.document).toEqual({ urn: URN, aspect: 'status', runId: 'run-1', lastUpdated: 1700000000123, removed: false });
    });
  });

  describe('getMany', () => {
    it('reads every pair in one real-time mget and keys the answer by (urn, aspect)', async () => {
      search.mgetAnswer = (req) => ({
        docs: (req.body.ids as string[]).map((id) =>
          id === systemMetadataDocId(URN, 'status')
            ? { _id: id, found: true, _source: { urn: URN, aspect: 'status', runId: 'r', lastUpdated: 5, removed: false, telemetryTraceId: TRACE } }
            : { _id: id, found: false },
        ),
      });
      const found = await repo.getMany([
        { urn: URN, aspect: 'status' },
        { urn: URN, aspect: 'ownership' },
        { urn: URN, aspect: 'status' },
      ]);
      expect(search.requests).toHaveLength(1);
      expect(search.calls('mget')[0]).toMatchObject({ index: 't_system_metadata_service_v1', realtime: true });
      expect(search.calls('mget')[0].body.ids).toEqual([systemMetadataDocId(URN, 'status'), systemMetadataDocId(URN, 'ownership')]);
      expect([...found.keys()]).toEqual([aspectKey(URN, 'status')]);
      expect(found.get(aspectKey(URN, 'status'))).toEqual({ urn: URN, aspect: 'status', runId: 'r', lastUpdated: 5, removed: false, telemetryTraceId: TRACE });
    });

    it("reads a document's refusal back, with its message and class", async () => {
      const refusal = { message: 'OpenSearch refused entity x status: 400 immense term', exceptionClass: 'SearchDocumentRefused' };
      const [op] = repo.refusalOperations([change('status')], refusal);
      search.mgetAnswer = (req) => ({ docs: (req.body.ids as string[]).map((id) => ({ _id: id, found: true, _source: op.document })) });
      const doc = (await repo.getMany([{ urn: URN, aspect: 'status' }])).get(aspectKey(URN, 'status'));
      expect(doc).toMatchObject({ urn: URN, aspect: 'status', telemetryTraceId: TRACE, refusal });
    });

    it('makes no request for no pairs', async () => {
      expect((await repo.getMany([])).size).toBe(0);
      expect(search.requests).toHaveLength(0);
    });

    it('answers empty when the index does not exist yet (per-document error)', async () => {
      search.mgetAnswer = (req) => ({
        docs: (req.body.ids as string[]).map((id) => ({ _id: id, error: { type: 'index_not_found_exception', reason: 'no such index' } })),
      });
      expect((await repo.getMany([{ urn: URN, aspect: 'status' }])).size).toBe(0);
    });

    it('answers empty when the index does not exist yet (404 for the request)', async () => {
      search.mgetAnswer = () => {
        throw Object.assign(new Error('index_not_found_exception'), { meta: { statusCode: 404, body: { error: { type: 'index_not_found_exception' } } } });
      };
      expect((await repo.getMany([{ urn: URN, aspect: 'status' }])).size).toBe(0);
    });

    it('throws on any other error, rather than reporting a write as missing', async () => {
      search.mgetAnswer = (req) => ({
        docs: (req.body.ids as string[]).map((id) => ({ _id: id, error: { type: 'no_shard_available_action_exception', reason: 'shard down' } })),
      });
      await expect(repo.getMany([{ urn: URN, aspect: 'status' }])).rejects.toThrow('no_shard_available_action_exception: shard down');
    });
  });
});
