import { BulkOperation, BulkRetryPolicy, BulkWriteError, BulkWriter } from './bulk-writer';
import { FakeSearchClient, Loose, bulkActions } from './testing/fake-search-client';

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
    expect(outcome.rejected).toEqual([
      { label: 'doc b', status: 400, error: 'illegal_argument_exception: Document contains at least one immense term', operation: op('b') },
    ]);
  });

  it("names the innermost cause of a refusal (a script's own error under 'failed to execute script')", async () => {
    const scriptError = {
      type: 'illegal_argument_exception',
      reason: 'failed to execute script',
      caused_by: {
        type: 'script_exception',
        reason: 'runtime error',
        caused_by: { type: 'illegal_argument_exception', reason: 'dynamic getter [java.lang.String, lastObserved] not found' },
      },
    };
    search.bulkAnswer = () => ({ errors: true, items: [{ update: { status: 400, error: scriptError } }] });
    const outcome = await writer.write([op('a')]);
    expect(outcome.rejected?.[0].error).toBe(
      'illegal_argument_exception: failed to execute script (caused by illegal_argument_exception: dynamic getter [java.lang.String, lastObserved] not found)',
    );
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

  describe('with a retry policy: re-sends only the items that failed', () => {
    const created = { index: { status: 201, result: 'created' } };
    const failed = (status: number, type = 'es_rejected_execution_exception') => ({ index: { status, error: { type, reason: 'try later' } } });
    const ids = (request: Loose) => bulkActions(request).map((a) => (a.index ?? a.update)._id);
    /** Answers the n-th bulk request (0-based) with answers[n](ids of its items), `created` for every item after the last. */
    const script = (answers: ((ids: string[]) => Loose[])[]) => {
      let n = 0;
      search.bulkAnswer = (req) => {
        const items = (answers[n++] ?? ((i: string[]) => i.map(() => created)))(ids(req));
        return { errors: items.some((i) => i.index.status >= 300), items };
      };
    };
    const fast: BulkRetryPolicy = { initialDelayMs: 1, maxDelayMs: 4 };

    it('re-sends exactly the failed items (429, 5xx, a conflict that is not stale) until they succeed, then returns the sum', async () => {
      script([
        (i) =>
          i.map((id) =>
            id === 'b'
              ? failed(429)
              : id === 'd'
                ? failed(503, 'unavailable_shards_exception')
                : id === 'e'
                  ? failed(409, 'version_conflict_engine_exception')
                  : created,
          ),
        (i) => i.map((id) => (id === 'd' ? failed(500) : created)),
      ]);
      const retries: unknown[] = [];
      const outcome = await writer.write([op('a'), op('b'), op('c'), op('d'), op('e')], { retry: { ...fast, onRetry: (r) => retries.push(r) } });
      expect(search.calls('bulk').map(ids)).toEqual([['a', 'b', 'c', 'd', 'e'], ['b', 'd', 'e'], ['d']]);
      // The re-sent items are the very same action and document lines (their versions guard the order).
      expect(search.calls('bulk')[1].body).toEqual([op('b'), op('d'), op('e')].flatMap((o) => [o.action, o.document]));
      expect(outcome).toEqual({ written: 5, unchanged: 0, resent: 4 });
      expect(retries).toEqual([
        expect.objectContaining({
          attempt: 1,
          resending: 3,
          failures: [expect.objectContaining({ label: 'doc b', status: 429 }), expect.anything(), expect.anything()],
        }),
        expect.objectContaining({ attempt: 2, resending: 1, failures: [{ label: 'doc d', status: 500, error: 'es_rejected_execution_exception: try later' }] }),
      ]);
    });

    it('keeps refusals (400) and stale conflicts out of the re-sends', async () => {
      script([
        (i) =>
          i.map((id) => (id === 'a' ? failed(400, 'mapper_parsing_exception') : id === 'b' ? failed(409, 'version_conflict_engine_exception') : failed(429))),
      ]);
      const outcome = await writer.write([op('a'), op('b', { conflictMeansStale: true }), op('c')], { retry: fast });
      expect(search.calls('bulk').map(ids)).toEqual([['a', 'b', 'c'], ['c']]);
      expect(outcome).toMatchObject({ written: 1, unchanged: 1, resent: 1, rejected: [expect.objectContaining({ label: 'doc a', status: 400 })] });
    });

    it("re-sends, after a failed item, the later items of the same document too, so the document's writes keep their order", async () => {
      // x1, x2 and x3 write the same document (e.g. the same aspect three times in one batch, with equal versions):
      // x1 failed, x2 succeeded, x3 was refused (400: sending it again would be refused again).
      const x1 = op('x', { document: { id: 'x', value: 1 }, label: 'x first' });
      const x2 = op('x', { document: { id: 'x', value: 2 }, label: 'x second' });
      const x3 = op('x', { document: { id: 'x', value: 3 }, label: 'x third' });
      script([(i) => i.map((_, k) => (k === 0 ? failed(429) : k === 3 ? failed(400, 'mapper_parsing_exception') : created))]);
      const outcome = await writer.write([x1, op('y'), x2, x3], { retry: fast });
      expect(search.calls('bulk')[1].body).toEqual([x1.action, x1.document, x2.action, x2.document]);
      // Each item counted once, by its last answer.
      expect(outcome).toEqual({
        written: 3,
        unchanged: 0,
        resent: 2,
        rejected: [{ label: 'x third', status: 400, error: 'mapper_parsing_exception: try later', operation: x3 }],
      });
    });

    it('backs off exponentially between rounds, bounded by maxDelayMs', async () => {
      script(Array.from({ length: 6 }, () => (i: string[]) => i.map(() => failed(429))));
      const delays: number[] = [];
      await writer.write([op('a')], { retry: { initialDelayMs: 2, maxDelayMs: 10, onRetry: (r) => delays.push(r.delayMs) } });
      expect(search.calls('bulk')).toHaveLength(7);
      // 2, 4, 8, 10, 10, 10 (each +-20% jitter).
      [2, 4, 8, 10, 10, 10].forEach((d, k) => {
        expect(delays[k]).toBeGreaterThanOrEqual(Math.floor(d * 0.8));
        expect(delays[k]).toBeLessThanOrEqual(Math.ceil(d * 1.2));
      });
    });

    it('gives up with BulkWriteError when stopping, during the backoff or before it, so the caller does not commit', async () => {
      search.bulkAnswer = () => ({ errors: true, items: [failed(503), created] });
      const stopping = new AbortController();
      const writing = writer.write([op('a'), op('b')], { retry: { initialDelayMs: 60000, maxDelayMs: 60000, signal: stopping.signal } });
      await new Promise((r) => setImmediate(r));
      stopping.abort();
      const err = await writing.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BulkWriteError);
      expect((err as Error).message).toBe(
        'OpenSearch rejected 1 of 2 bulk items: doc a (503 es_rejected_execution_exception: try later); stopping, so not retried here',
      );
      expect(search.calls('bulk')).toHaveLength(1);
      // Already stopping when the failure comes back: no wait at all.
      await expect(writer.write([op('a'), op('b')], { retry: { ...fast, signal: stopping.signal } })).rejects.toThrow('stopping, so not retried here');
      expect(search.calls('bulk')).toHaveLength(2);
    });

    it('lets a transport error of a re-send through (the batch is redelivered)', async () => {
      let n = 0;
      search.bulkAnswer = () => {
        if (n++ === 0) return { errors: true, items: [failed(429)] };
        throw new Error('connect ECONNREFUSED');
      };
      await expect(writer.write([op('a')], { retry: fast })).rejects.toThrow('ECONNREFUSED');
    });
  });
});
