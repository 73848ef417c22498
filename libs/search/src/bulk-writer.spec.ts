import { BulkOperation, BulkWriteError, BulkWriter } from './bulk-writer';
import { FakeSearchClient } from './testing/fake-search-client';

function op(id: string, extra: Partial<BulkOperation> = {}): BulkOperation {
  return { action: { index: { _index: 't_x', _id: id } }, document: { id }, label: `doc ${id}`, ...extra };
}

describe('BulkWriter', () => {
  let search: FakeSearchClient;
  let writer: BulkWriter;

  beforeEach(() => {
    search = new FakeSearchClient();
    writer = new BulkWriter(search.asSearchClient());
  });

  it('sends all operations as one bulk request, action line then document', async () => {
    const outcome = await writer.write([op('a'), op('b')]);
    expect(search.calls('bulk')).toHaveLength(1);
    expect(search.calls('bulk')[0].body).toEqual([{ index: { _index: 't_x', _id: 'a' } }, { id: 'a' }, { index: { _index: 't_x', _id: 'b' } }, { id: 'b' }]);
    expect(search.calls('bulk')[0].refresh).toBeUndefined();
    expect(outcome).toEqual({ written: 2, unchanged: 0 });
  });

  it('asks for refresh=wait_for when the documents must be searchable on return', async () => {
    await writer.write([op('a')], { waitForSearch: true });
    expect(search.calls('bulk')[0].refresh).toBe('wait_for');
  });

  it('sends nothing for no operations', async () => {
    expect(await writer.write([])).toEqual({ written: 0, unchanged: 0 });
    expect(search.requests).toHaveLength(0);
  });

  it('throws naming every failed item that may succeed on retry, even though the request itself answered 200', async () => {
    search.bulkAnswer = () => ({
      errors: true,
      items: [
        { index: { status: 201, result: 'created' } },
        { index: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [lastUpdated]' } } },
        { update: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } },
      ],
    });
    const err = await writer.write([op('a'), op('b'), op('c')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BulkWriteError);
    expect((err as BulkWriteError).failures.map((f) => f.label)).toEqual(['doc c']);
    expect((err as Error).message).toBe('OpenSearch rejected 1 of 3 bulk items: doc c (429 es_rejected_execution_exception: queue full)');
  });

  it('reports documents refused as malformed (400) instead of retrying them forever', async () => {
    search.bulkAnswer = () => ({
      errors: true,
      items: [
        { index: { status: 201, result: 'created' } },
        { index: { status: 400, error: { type: 'illegal_argument_exception', reason: 'Document contains at least one immense term' } } },
      ],
    });
    const outcome = await writer.write([op('a'), op('b')]);
    expect(outcome.written).toBe(1);
    expect(outcome.rejected).toEqual([{ label: 'doc b', status: 400, error: 'illegal_argument_exception: Document contains at least one immense term' }]);
  });

  it('does not trust the errors flag alone', async () => {
    search.bulkAnswer = () => ({ errors: false, items: [{ index: { status: 500 } }] });
    await expect(writer.write([op('a')])).rejects.toThrow('doc a (500 error: no reason given)');
  });

  it('counts a version conflict as stale only where the operation says so', async () => {
    const conflict = { index: { status: 409, error: { type: 'version_conflict_engine_exception', reason: 'current version [5] is higher' } } };
    search.bulkAnswer = () => ({ errors: true, items: [conflict] });
    expect(await writer.write([op('a', { conflictMeansStale: true })])).toEqual({ written: 0, unchanged: 1 });
    await expect(writer.write([op('a')])).rejects.toThrow('doc a (409 version_conflict_engine_exception');
  });

  it('counts an update that changed nothing as unchanged', async () => {
    search.bulkAnswer = () => ({ errors: false, items: [{ update: { status: 200, result: 'noop' } }, { update: { status: 200, result: 'updated' } }] });
    expect(await writer.write([op('a'), op('b')])).toEqual({ written: 1, unchanged: 1 });
  });

  it('throws when the answer does not cover every item', async () => {
    search.bulkAnswer = () => ({ errors: false, items: [] });
    await expect(writer.write([op('a')])).rejects.toThrow('OpenSearch answered 0 items to a bulk request of 1');
  });

  it('lets a transport error through', async () => {
    search.bulkAnswer = () => {
      throw new Error('connect ECONNREFUSED');
    };
    await expect(writer.write([op('a')])).rejects.toThrow('ECONNREFUSED');
  });
});
