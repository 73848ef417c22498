import { timePrefix } from '@lib/telemetry';
import { FailedMcpEntry, KafkaLookup, SearchSystemDoc, SqlAspectRow, TimeseriesDoc, traceRef } from './inputs';
import { applyFailedLookup, primaryStatus } from './primary-rules';
import { aspectResult, AspectTraceResult, searchStatus } from './search-and-response';

// The contract's acceptance scenarios (section 7), as the decisions see them.
const T = Date.parse('2025-01-22T23:13:32.503Z');
const A = timePrefix(T) + '077e7dd079846870';
const B = timePrefix(T + 1000) + '1111111111111111';

interface Seen {
  traceId: string;
  isTimeseries?: boolean;
  latest?: SqlAspectRow;
  systemDoc?: SearchSystemDoc;
  timeseriesDoc?: TimeseriesDoc;
  mcp?: KafkaLookup;
  mcl?: KafkaLookup;
  failed?: FailedMcpEntry;
}

function trace(seen: Seen): AspectTraceResult {
  const ref = traceRef(seen.traceId, T + 60_000);
  const { isTimeseries = false, latest, systemDoc, timeseriesDoc } = seen;
  const primary = applyFailedLookup(primaryStatus({ trace: ref, isTimeseries, latest }, seen.mcp), seen.failed);
  const search = searchStatus({ trace: ref, isTimeseries, primary, latest, systemDoc, timeseriesDoc }, seen.mcl);
  return aspectResult(primary, search);
}

const row = (traceId: string, at: number, extra: Record<string, string> = {}): SqlAspectRow => ({
  urn: 'urn:li:dataset:x',
  aspect: 'status',
  createdOn: at + 5,
  systemMetadata: { lastObserved: at, properties: { telemetryTraceId: traceId, ...extra } },
});
const doc = (traceId: string | undefined, at: number): SearchSystemDoc => ({
  urn: 'urn:li:dataset:x',
  aspect: 'status',
  telemetryTraceId: traceId,
  lastUpdated: at,
});
const consumed: KafkaLookup = { kind: 'found', offset: '4', committed: '5' };
const queued: KafkaLookup = { kind: 'found', offset: '5', committed: '5' };
const ACTIVE = { writeStatus: 'ACTIVE_STATE' };

describe('acceptance scenarios', () => {
  it('1. async write -> ACTIVE_STATE / ACTIVE_STATE, success', () => {
    expect(trace({ traceId: A, latest: row(A, T), systemDoc: doc(A, T) })).toEqual({ success: true, primaryStorage: ACTIVE, searchStorage: ACTIVE });
  });

  it('2. failed version check, detailed -> primary ERROR with exceptions, search ERROR', () => {
    const failed = { exceptions: [{ message: 'Expected version -10000, actual version -1', exceptionClass: 'E', stackTrace: [] }] };
    expect(trace({ traceId: A, mcp: consumed, failed })).toEqual({
      success: false,
      primaryStorage: { writeStatus: 'ERROR', writeExceptions: failed.exceptions },
      searchStorage: { writeStatus: 'ERROR', writeMessage: 'Primary storage write failed.' },
    });
  });

  it('3. write A then B -> A is HISTORIC_STATE / HISTORIC_STATE', () => {
    expect(trace({ traceId: A, latest: row(B, T + 1000), systemDoc: doc(B, T + 1000) })).toEqual({
      success: true,
      primaryStorage: { writeStatus: 'HISTORIC_STATE' },
      searchStorage: { writeStatus: 'HISTORIC_STATE' },
    });
  });

  it('4. trace id removed from the document -> search HISTORIC_STATE; document deleted -> search ERROR', () => {
    expect(trace({ traceId: A, latest: row(A, T), systemDoc: doc(undefined, T) }).searchStorage).toEqual({ writeStatus: 'HISTORIC_STATE' });
    expect(trace({ traceId: A, latest: row(A, T), mcl: consumed })).toEqual({
      success: false,
      primaryStorage: ACTIVE,
      searchStorage: { writeStatus: 'ERROR', writeMessage: 'Consumer has processed past the offset.' },
    });
  });

  it('5. timeseries aspect -> NO_OP / ACTIVE_STATE once indexed', () => {
    expect(trace({ traceId: A, isTimeseries: true, timeseriesDoc: { found: true } })).toEqual({
      success: true,
      primaryStorage: { writeStatus: 'NO_OP' },
      searchStorage: ACTIVE,
    });
  });

  it('6. same value written twice -> NO_OP / NO_OP', () => {
    expect(trace({ traceId: B, latest: row(B, T + 1000, { isNoOp: 'true' }), systemDoc: doc(B, T + 1000) })).toEqual({
      success: true,
      primaryStorage: { writeStatus: 'NO_OP' },
      searchStorage: { writeStatus: 'NO_OP' },
    });
  });

  it('8. MCE consumer stopped -> PENDING / PENDING', () => {
    expect(trace({ traceId: B, latest: row(A, T), systemDoc: doc(A, T), mcp: queued })).toEqual({
      success: true,
      primaryStorage: { writeStatus: 'PENDING', writeMessage: 'Consumer has not processed offset.' },
      searchStorage: { writeStatus: 'PENDING', writeMessage: 'Pending primary storage write.' },
    });
  });

  it('9. MAE consumer stopped -> ACTIVE_STATE / PENDING', () => {
    expect(trace({ traceId: B, latest: row(B, T + 1000), systemDoc: doc(A, T), mcl: queued })).toEqual({
      success: true,
      primaryStorage: ACTIVE,
      searchStorage: { writeStatus: 'PENDING', writeMessage: 'Consumer has not processed offset.' },
    });
  });
});
