import { AspectTraceResult, TraceResponse } from './decisions/search-and-response';
import { WriteStatus } from './decisions/status';
import { TraceOptions, TraceService } from './trace.service';
import { WriteWaiter } from './write-waiter';

const URN = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)';
const ITEM = { urn: URN, entityType: 'dataset', aspect: 'status', isTimeseries: false };
const TRACE_ID = '00062c53a468cbd8077e7dd079846870';

const result = (primary: WriteStatus, search: WriteStatus, writeExceptions?: AspectTraceResult['primaryStorage']['writeExceptions']): TraceResponse => ({
  [URN]: {
    status: {
      success: primary !== 'ERROR' && search !== 'ERROR',
      primaryStorage: { writeStatus: primary, ...(writeExceptions ? { writeExceptions } : {}) },
      searchStorage: { writeStatus: search },
    },
  },
});

/** A TraceService that answers the given responses in turn (the last one from then on), recording the options it got. */
function tracesAnswering(...answers: ((opts: TraceOptions) => TraceResponse)[]) {
  const calls: TraceOptions[] = [];
  const service = {
    trace: async (_ref: unknown, _items: unknown, opts: TraceOptions) => {
      calls.push(opts);
      return answers[Math.min(calls.length - 1, answers.length - 1)](opts);
    },
  } as unknown as TraceService;
  return { waiter: new WriteWaiter(service), calls };
}

describe('WriteWaiter', () => {
  it('traces until the primary write is no longer PENDING, and says it settled', async () => {
    const { waiter, calls } = tracesAnswering(
      () => result('PENDING', 'PENDING'),
      () => result('PENDING', 'PENDING'),
      () => result('ACTIVE_STATE', 'PENDING'),
    );
    const waited = await waiter.wait(TRACE_ID, [ITEM], 'primary', 5000);
    expect(waited.settled).toBe(true);
    expect(waited.trace[URN].status.primaryStorage.writeStatus).toBe('ACTIVE_STATE');
    expect(calls).toHaveLength(3);
  });

  it('waits for search too when asked to', async () => {
    const { waiter, calls } = tracesAnswering(
      () => result('ACTIVE_STATE', 'PENDING'),
      () => result('ACTIVE_STATE', 'ACTIVE_STATE'),
    );
    expect((await waiter.wait(TRACE_ID, [ITEM], 'both', 5000)).settled).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('gives up at the deadline with settled false and the last answer', async () => {
    const { waiter } = tracesAnswering(() => result('PENDING', 'PENDING'));
    const started = Date.now();
    const waited = await waiter.wait(TRACE_ID, [ITEM], 'primary', 150);
    expect(waited.settled).toBe(false);
    expect(waited.trace[URN].status.primaryStorage.writeStatus).toBe('PENDING');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('traces a failure once more in detail, for its reason', async () => {
    const exception = { message: 'Expected version 3, actual version 4', exceptionClass: 'AspectVersionMismatch', stackTrace: [] };
    const { waiter, calls } = tracesAnswering((opts) => result('ERROR', 'ERROR', opts.detailed ? [exception] : undefined));
    const waited = await waiter.wait(TRACE_ID, [ITEM], 'primary', 5000);
    expect(waited.trace[URN].status.primaryStorage.writeExceptions).toEqual([exception]);
    expect(calls.map((c) => c.detailed)).toEqual([false, true]);
  });
});
