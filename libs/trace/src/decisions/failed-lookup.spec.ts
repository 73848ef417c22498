import { applyFailedLookup, FailedMcpEntry, needsFailedLookup } from './failed-lookup';
import { StorageStatus, WriteStatus } from './write-status';

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
