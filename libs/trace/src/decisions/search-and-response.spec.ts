import { EXAMPLE_TRACE_ID, FOREIGN_TRACE_ID as FOREIGN, sqlRow, systemDoc, T, traceIdAt } from '../testing/fixtures';
import { KafkaLookup, traceRef } from './inputs';
import { aspectResult, filterResponse, SearchContext, searchFromKafka, searchFromStores, TraceResponse } from './search-and-response';
import { NEEDS_KAFKA, StorageStatus, WriteStatus } from './status';

const OURS = EXAMPLE_TRACE_ID;

const primary = (writeStatus: WriteStatus): StorageStatus => ({ writeStatus });
function ctx(over: Partial<SearchContext> & { traceId?: string } = {}): SearchContext {
  const { traceId = OURS, ...rest } = over;
  return { trace: traceRef(traceId, T), isTimeseries: false, primary: primary('ACTIVE_STATE'), ...rest };
}

const PENDING = { writeStatus: 'PENDING', writeMessage: 'Consumer has not processed offset.' };
const ERROR = { writeStatus: 'ERROR', writeMessage: 'Consumer has processed past the offset.' };
const found = (offset: string, committed: string | null): KafkaLookup => ({ kind: 'found', offset, committed });

describe('searchFromStores: contract 5.2, following the primary status', () => {
  it.each<[WriteStatus, unknown]>([
    ['PENDING', { writeStatus: 'PENDING', writeMessage: 'Pending primary storage write.' }],
    ['ERROR', { writeStatus: 'ERROR', writeMessage: 'Primary storage write failed.' }],
    ['HISTORIC_STATE', { writeStatus: 'HISTORIC_STATE' }],
    ['NO_OP', { writeStatus: 'NO_OP' }],
    ['UNKNOWN', { writeStatus: 'UNKNOWN', writeMessage: 'Primary storage write indeterminate.' }],
    ['TRACE_NOT_IMPLEMENTED', { writeStatus: 'TRACE_NOT_IMPLEMENTED' }],
  ])('primary %s -> %j', (writeStatus, expected) => {
    expect(searchFromStores(ctx({ primary: primary(writeStatus), systemDoc: systemDoc({ traceId: OURS, lastUpdated: T }) }))).toEqual(expected);
  });
});

describe('searchFromStores: primary ACTIVE_STATE, the system-metadata document', () => {
  it.each<[string, SearchContext, unknown]>([
    ['document carries our trace id -> ACTIVE_STATE', ctx({ systemDoc: systemDoc({ traceId: OURS, lastUpdated: T }) }), { writeStatus: 'ACTIVE_STATE' }],
    [
      'document carries our trace id and the refusal of our entity document -> ERROR, with it',
      ctx({
        systemDoc: {
          ...systemDoc({ traceId: OURS, lastUpdated: T }),
          refusal: { message: 'OpenSearch refused entity x: 400 immense term', exceptionClass: 'SearchDocumentRefused' },
        },
      }),
      {
        writeStatus: 'ERROR',
        writeExceptions: [{ message: 'OpenSearch refused entity x: 400 immense term', exceptionClass: 'SearchDocumentRefused', stackTrace: [] }],
      },
    ],
    [
      "a later write's document carrying a refusal -> HISTORIC_STATE (ours was replaced; the refusal is the later write's)",
      ctx({
        systemDoc: {
          ...systemDoc({ traceId: traceIdAt(T + 9), lastUpdated: T + 9 }),
          refusal: { message: 'refused', exceptionClass: 'SearchDocumentRefused' },
        },
      }),
      { writeStatus: 'HISTORIC_STATE' },
    ],
    ['trace id removed, lastUpdated after ours -> HISTORIC_STATE', ctx({ systemDoc: systemDoc({ lastUpdated: T + 1 }) }), { writeStatus: 'HISTORIC_STATE' }],
    [
      'trace id removed, lastUpdated equal to ours (>=) -> HISTORIC_STATE',
      ctx({ systemDoc: systemDoc({ lastUpdated: T }) }),
      { writeStatus: 'HISTORIC_STATE' },
    ],
    [
      'another trace id, newer -> HISTORIC_STATE',
      ctx({ systemDoc: systemDoc({ traceId: traceIdAt(T + 9), lastUpdated: T + 9 }) }),
      { writeStatus: 'HISTORIC_STATE' },
    ],
    ['older document -> Kafka', ctx({ systemDoc: systemDoc({ traceId: traceIdAt(T - 9000), lastUpdated: T - 9000 }) }), NEEDS_KAFKA],
    ['document without lastUpdated -> Kafka', ctx({ systemDoc: systemDoc() }), NEEDS_KAFKA],
    ['no document -> Kafka', ctx(), NEEDS_KAFKA],
    [
      'foreign trace id: our row lastObserved stands in for the time -> HISTORIC_STATE',
      ctx({ traceId: FOREIGN, latest: sqlRow({ createdOn: T + 3, lastObserved: T, traceId: FOREIGN }), systemDoc: systemDoc({ lastUpdated: T }) }),
      { writeStatus: 'HISTORIC_STATE' },
    ],
    [
      'foreign trace id, document older than our write -> Kafka',
      ctx({ traceId: FOREIGN, latest: sqlRow({ createdOn: T + 3, lastObserved: T, traceId: FOREIGN }), systemDoc: systemDoc({ lastUpdated: T - 1 }) }),
      NEEDS_KAFKA,
    ],
    ['foreign trace id, no time at all -> Kafka', ctx({ traceId: FOREIGN, systemDoc: systemDoc({ lastUpdated: T }) }), NEEDS_KAFKA],
  ])('%s', (_rule, context, expected) => {
    expect(searchFromStores(context)).toEqual(expected);
  });
});

describe('searchFromKafka: MCL topic against the MAE group', () => {
  it.each<[string, KafkaLookup, unknown]>([
    ['indexing backlog: not yet consumed -> PENDING (the reference says ERROR)', found('12', '10'), PENDING],
    ['exactly at the committed offset -> PENDING', found('10', '10'), PENDING],
    ['group not committed on the partition yet -> PENDING', found('0', null), PENDING],
    ['consumed but not indexed -> ERROR', found('9', '10'), ERROR],
    ['no such consumer group -> UNKNOWN', { kind: 'no-group' }, { writeStatus: 'UNKNOWN', writeMessage: 'Missing consumer offsets.' }],
    ['not on the topic -> NO_OP', { kind: 'not-found' }, { writeStatus: 'NO_OP', writeMessage: 'No write of this aspect under this trace id.' }],
    [
      'read failed -> UNKNOWN saying why',
      { kind: 'failed', reason: 'broker down' },
      { writeStatus: 'UNKNOWN', writeMessage: 'Kafka lookup failed: broker down' },
    ],
  ])('%s', (_rule, lookup, expected) => {
    expect(searchFromKafka(lookup)).toEqual(expected);
  });
});

describe('searchFromStores: timeseries aspects', () => {
  const ts = (indexed: boolean): SearchContext => ctx({ isTimeseries: true, primary: primary('NO_OP'), timeseriesDoc: { found: indexed } });

  it('document with our trace id -> ACTIVE_STATE', () => {
    expect(searchFromStores(ts(true))).toEqual({ writeStatus: 'ACTIVE_STATE' });
  });

  it('needs Kafka only when the document is missing', () => {
    expect(searchFromStores(ts(false))).toBe(NEEDS_KAFKA);
  });

  describe('a timeseries DELETE: the system-metadata document, which only deletes write', () => {
    const LATER = traceIdAt(T + 1000, '1111111111111111');
    const withDoc = (doc: Parameters<typeof systemDoc>[0], traceId = OURS): SearchContext => ({
      ...ts(false),
      trace: traceRef(traceId, T),
      systemDoc: systemDoc({ aspect: 'datasetProfile', ...doc }),
    });

    it('removed, with our trace id -> ACTIVE_STATE (our delete is done)', () => {
      expect(searchFromStores(withDoc({ traceId: OURS, lastUpdated: T + 5, removed: true }))).toEqual({ writeStatus: 'ACTIVE_STATE' });
    });

    it('removed by a later delete -> HISTORIC_STATE; by an earlier one -> Kafka decides', () => {
      expect(searchFromStores(withDoc({ traceId: LATER, lastUpdated: T + 1000, removed: true }))).toEqual({ writeStatus: 'HISTORIC_STATE' });
      expect(searchFromStores(withDoc({ traceId: LATER, lastUpdated: T, removed: true }))).toEqual({ writeStatus: 'HISTORIC_STATE' });
      expect(searchFromStores(withDoc({ traceId: LATER, lastUpdated: T - 1, removed: true }))).toBe(NEEDS_KAFKA);
    });

    it('our trace id without removed is no delete of ours -> Kafka decides', () => {
      expect(searchFromStores(withDoc({ traceId: OURS, lastUpdated: T + 5 }))).toBe(NEEDS_KAFKA);
      expect(searchFromStores(withDoc({ traceId: OURS, lastUpdated: T + 5, removed: false }))).toBe(NEEDS_KAFKA);
    });

    it('a foreign trace id has no time: a later delete cannot be told -> Kafka decides', () => {
      expect(searchFromStores(withDoc({ traceId: LATER, lastUpdated: T + 1000, removed: true }, FOREIGN))).toBe(NEEDS_KAFKA);
      expect(searchFromStores(withDoc({ traceId: FOREIGN, lastUpdated: T + 1000, removed: true }, FOREIGN))).toEqual({ writeStatus: 'ACTIVE_STATE' });
    });

    it('an event carrying our trace id still decides first', () => {
      expect(searchFromStores({ ...withDoc({ traceId: LATER, lastUpdated: T + 1000, removed: true }), timeseriesDoc: { found: true } })).toEqual({
        writeStatus: 'ACTIVE_STATE',
      });
    });
  });
});

const s = (writeStatus: WriteStatus): StorageStatus => ({ writeStatus });

describe('aspectResult', () => {
  it.each<[WriteStatus, WriteStatus, boolean]>([
    ['ACTIVE_STATE', 'ACTIVE_STATE', true],
    ['NO_OP', 'NO_OP', true],
    ['PENDING', 'PENDING', true],
    ['UNKNOWN', 'UNKNOWN', true],
    ['HISTORIC_STATE', 'HISTORIC_STATE', true],
    ['ACTIVE_STATE', 'ERROR', false],
    ['ERROR', 'ERROR', false],
    ['ERROR', 'ACTIVE_STATE', false],
  ])('primary %s, search %s -> success %s', (primary, search, success) => {
    expect(aspectResult(s(primary), s(search)).success).toBe(success);
  });

  it('omits empty fields and keeps the rest', () => {
    const primary = {
      writeStatus: 'ERROR',
      writeMessage: undefined,
      writeExceptions: [{ message: 'm', exceptionClass: 'E', stackTrace: [] }],
    } as StorageStatus;
    const search = { writeStatus: 'ERROR', writeMessage: 'Primary storage write failed.', writeExceptions: null } as unknown as StorageStatus;
    const result = aspectResult(primary, search);
    expect(JSON.parse(JSON.stringify(result))).toEqual({
      success: false,
      primaryStorage: { writeStatus: 'ERROR', writeExceptions: [{ message: 'm', exceptionClass: 'E', stackTrace: [] }] },
      searchStorage: { writeStatus: 'ERROR', writeMessage: 'Primary storage write failed.' },
    });
    expect(Object.keys(result.primaryStorage)).toEqual(['writeStatus', 'writeExceptions']);
    expect(Object.keys(result.searchStorage)).toEqual(['writeStatus', 'writeMessage']);
  });
});

const ok = aspectResult({ writeStatus: 'ACTIVE_STATE' }, { writeStatus: 'ACTIVE_STATE' });
const primaryFailed = aspectResult({ writeStatus: 'ERROR' }, { writeStatus: 'ERROR', writeMessage: 'Primary storage write failed.' });
const searchFailed = aspectResult({ writeStatus: 'ACTIVE_STATE' }, { writeStatus: 'ERROR', writeMessage: 'Consumer has processed past the offset.' });
const pending = aspectResult({ writeStatus: 'PENDING' }, { writeStatus: 'PENDING' });

const response: TraceResponse = {
  'urn:li:dataset:a': { status: ok, glossaryTerms: primaryFailed },
  'urn:li:dataset:b': { status: ok, datasetProperties: pending },
  'urn:li:dataset:c': { status: searchFailed },
};

describe('filterResponse', () => {
  it('onlyIncludeErrors: keeps only aspects with an ERROR and drops URNs left empty', () => {
    expect(filterResponse(response, true)).toEqual({
      'urn:li:dataset:a': { glossaryTerms: primaryFailed },
      'urn:li:dataset:c': { status: searchFailed },
    });
  });

  it('a clean trace answers {}', () => {
    expect(filterResponse({ 'urn:li:dataset:a': { status: ok, other: pending } }, true)).toEqual({});
  });

  it('onlyIncludeErrors=false keeps everything', () => {
    expect(filterResponse(response, false)).toEqual(response);
  });

  it('does not change its input', () => {
    const copy = JSON.parse(JSON.stringify(response));
    filterResponse(response, true);
    expect(response).toEqual(copy);
  });
});
