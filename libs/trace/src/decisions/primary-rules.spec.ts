import { EXAMPLE_TRACE_ID, FOREIGN_TRACE_ID as FOREIGN, sqlRow, T, traceIdAt } from '../testing/fixtures';
import { FailedMcpEntry, KafkaLookup, SqlAspectRow, traceRef } from './inputs';
import { applyFailedLookup, needsFailedLookup, PrimaryContext, primaryFromKafka, primaryFromStores } from './primary-rules';
import { NEEDS_KAFKA, StorageStatus, WriteStatus } from './status';

// Our write started at T (the contract's example id).
const OURS = EXAMPLE_TRACE_ID;

function ctx(latest?: SqlAspectRow, traceId = OURS, isTimeseries = false): PrimaryContext {
  return { trace: traceRef(traceId, T), isTimeseries, latest };
}

describe('primaryFromStores: contract 5.1 steps 1-4', () => {
  it.each<[string, PrimaryContext, unknown]>([
    ['1. timeseries aspect -> NO_OP', ctx(undefined, OURS, true), { writeStatus: 'NO_OP' }],
    [
      '1. timeseries aspect, whatever SQL says -> NO_OP',
      ctx(sqlRow({ createdOn: T + 5, lastObserved: T + 5, traceId: OURS }), OURS, true),
      { writeStatus: 'NO_OP' },
    ],
    [
      '2. latest row carries our trace id -> ACTIVE_STATE',
      ctx(sqlRow({ createdOn: T + 5, lastObserved: T + 1, traceId: OURS })),
      { writeStatus: 'ACTIVE_STATE' },
    ],
    [
      '2. ... and isNoOp "true" -> NO_OP',
      ctx(sqlRow({ createdOn: T - 9000, lastObserved: T + 1, traceId: OURS, properties: { isNoOp: 'true' } })),
      { writeStatus: 'NO_OP' },
    ],
    [
      '2. ... and isNoOp "false" -> ACTIVE_STATE',
      ctx(sqlRow({ createdOn: T + 5, lastObserved: T + 1, traceId: OURS, properties: { isNoOp: 'false' } })),
      { writeStatus: 'ACTIVE_STATE' },
    ],
    [
      '2. foreign trace id carried by the row -> ACTIVE_STATE',
      ctx(sqlRow({ createdOn: T, lastObserved: T, traceId: FOREIGN }), FOREIGN),
      { writeStatus: 'ACTIVE_STATE' },
    ],
    [
      '3. row trace id is newer -> HISTORIC_STATE',
      ctx(sqlRow({ createdOn: T + 50, lastObserved: T + 40, traceId: traceIdAt(T + 40) })),
      { writeStatus: 'HISTORIC_STATE' },
    ],
    [
      '3. row trace id in the same ms (>=) -> HISTORIC_STATE',
      ctx(sqlRow({ createdOn: T + 50, lastObserved: T + 40, traceId: traceIdAt(T) })),
      { writeStatus: 'HISTORIC_STATE' },
    ],
    ['3. row trace id wins over createdon', ctx(sqlRow({ createdOn: T + 50, lastObserved: T + 60, traceId: traceIdAt(T - 1) })), NEEDS_KAFKA],
    ['3. row without trace id, createdon newer -> HISTORIC_STATE', ctx(sqlRow({ createdOn: T + 50 })), { writeStatus: 'HISTORIC_STATE' }],
    [
      '3. row with a foreign trace id: createdon decides',
      ctx(sqlRow({ createdOn: T + 50, lastObserved: T + 50, traceId: FOREIGN })),
      { writeStatus: 'HISTORIC_STATE' },
    ],
    [
      '4. createdon < ours < lastObserved -> NO_OP',
      ctx(sqlRow({ createdOn: T - 9000, lastObserved: T + 20, traceId: traceIdAt(T - 9000) })),
      { writeStatus: 'NO_OP' },
    ],
    ['4. lastObserved exactly ours is not after us -> Kafka', ctx(sqlRow({ createdOn: T - 9000, lastObserved: T, traceId: traceIdAt(T - 9000) })), NEEDS_KAFKA],
    ['5. no row -> Kafka', ctx(undefined), NEEDS_KAFKA],
    ['5. older row not observed since -> Kafka', ctx(sqlRow({ createdOn: T - 9000, lastObserved: T - 8000, traceId: traceIdAt(T - 9000) })), NEEDS_KAFKA],
    ['foreign trace id, newer-looking row: cannot compare -> Kafka', ctx(sqlRow({ createdOn: T + 50 }), FOREIGN), NEEDS_KAFKA],
  ])('%s', (_rule, context, expected) => {
    expect(primaryFromStores(context)).toEqual(expected);
  });
});

const found = (offset: string | bigint | number, committed: string | bigint | number | null, timestamp?: number): KafkaLookup => ({
  kind: 'found',
  offset,
  committed,
  timestamp,
});
const PENDING = { writeStatus: 'PENDING', writeMessage: 'Consumer has not processed offset.' };
const ERROR = { writeStatus: 'ERROR', writeMessage: 'Consumer has processed past the offset.' };

describe('primaryFromKafka: contract 5.1 steps 5 and 7 (MCP topic, MCE group)', () => {
  it.each<[string, KafkaLookup, unknown]>([
    ['found after the committed offset -> PENDING', found(12, 10), PENDING],
    ['found exactly AT the committed offset (next to read) -> PENDING; the reference says ERROR', found(10, 10), PENDING],
    ['found, group has not committed on that partition yet -> PENDING; the reference says UNKNOWN', found(3, null), PENDING],
    ["found, kafkajs' '-1' for nothing committed -> PENDING", found('3', '-1'), PENDING],
    ['found before the committed offset -> ERROR', found(9, 10), ERROR],
    ["offsets compare as numbers: '10' vs committed '9' -> PENDING", found('10', '9'), PENDING],
    ["offsets compare as numbers: '9' vs committed '10' -> ERROR", found('9', '10'), ERROR],
    ['64-bit offsets beyond 2^53', found('9007199254740993', 9007199254740992n), PENDING],
    ['no such consumer group -> UNKNOWN', { kind: 'no-group' }, { writeStatus: 'UNKNOWN', writeMessage: 'Missing consumer offsets.' }],
    [
      'message not on the partition (aspect not in this write) -> NO_OP',
      { kind: 'not-found' },
      { writeStatus: 'NO_OP', writeMessage: 'No write of this aspect under this trace id.' },
    ],
    [
      '7. Kafka read failed -> UNKNOWN saying why',
      { kind: 'failed', reason: 'timed out after 5000 ms' },
      { writeStatus: 'UNKNOWN', writeMessage: 'Kafka lookup failed: timed out after 5000 ms' },
    ],
    ['7. junk offset -> UNKNOWN, no throw', found('abc', '3'), { writeStatus: 'UNKNOWN', writeMessage: 'Kafka lookup failed: invalid offset (abc, 3)' }],
  ])('%s', (_rule, lookup, expected) => {
    expect(primaryFromKafka(ctx(undefined), lookup)).toEqual(expected);
  });

  describe('foreign trace id: steps 3-4 use the MCP record timestamp', () => {
    it.each<[string, SqlAspectRow, KafkaLookup, unknown]>([
      ['row written after our message -> HISTORIC_STATE', sqlRow({ createdOn: T + 50 }), found(4, 10, T), { writeStatus: 'HISTORIC_STATE' }],
      [
        'row created before, observed after our message -> NO_OP',
        sqlRow({ createdOn: T - 9000, lastObserved: T + 20 }),
        found(4, 10, T),
        { writeStatus: 'NO_OP' },
      ],
      ['row older than our consumed message -> ERROR', sqlRow({ createdOn: T - 9000, lastObserved: T - 9000 }), found(4, 10, T), ERROR],
      ['row older, message not consumed -> PENDING', sqlRow({ createdOn: T - 9000 }), found(12, 10, T), PENDING],
      ['no record timestamp -> offsets decide', sqlRow({ createdOn: T + 50 }), found(4, 10), ERROR],
    ])('%s', (_rule, latest, lookup, expected) => {
      expect(primaryFromKafka(ctx(latest, FOREIGN), lookup)).toEqual(expected);
    });
  });

  it('own trace id: the record timestamp is not used (steps 3-4 already ran)', () => {
    expect(primaryFromKafka(ctx(sqlRow({ createdOn: T - 9000 })), found(4, 10, T - 10_000))).toEqual(ERROR);
  });
});

const entry: FailedMcpEntry = {
  exceptions: [
    {
      message: 'Expected version -10000, actual version -1',
      exceptionClass: 'AspectValidationException',
      stackTrace: ['at validate (mce.ts:1)'],
    },
  ],
};
const status = (writeStatus: WriteStatus, writeMessage?: string): StorageStatus => (writeMessage ? { writeStatus, writeMessage } : { writeStatus });

describe('contract 5.1 step 6 (detailed=true): the failed topic', () => {
  it.each<[WriteStatus, boolean, boolean]>([
    ['ERROR', false, true],
    ['NO_OP', false, true],
    ['UNKNOWN', false, true],
    ['PENDING', false, false],
    ['ACTIVE_STATE', false, false],
    ['HISTORIC_STATE', false, false],
    ['NO_OP', true, false],
  ])('primary %s, timeseries %s -> look up: %s', (writeStatus, isTimeseries, expected) => {
    expect(needsFailedLookup(status(writeStatus), isTimeseries)).toBe(expected);
  });

  it.each<WriteStatus>(['ERROR', 'NO_OP', 'UNKNOWN'])('%s found in the failed topic -> ERROR with its exceptions', (writeStatus) => {
    expect(applyFailedLookup(status(writeStatus, 'Consumer has processed past the offset.'), entry)).toEqual({
      writeStatus: 'ERROR',
      writeExceptions: entry.exceptions,
    });
  });

  it.each<WriteStatus>(['PENDING', 'ACTIVE_STATE', 'HISTORIC_STATE'])('%s is kept even if an old failure exists', (writeStatus) => {
    expect(applyFailedLookup(status(writeStatus), entry)).toEqual(status(writeStatus));
  });

  it('not in the failed topic -> unchanged', () => {
    const unknown = status('UNKNOWN', 'Missing consumer offsets.');
    expect(applyFailedLookup(unknown, undefined)).toBe(unknown);
  });
});
