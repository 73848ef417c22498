import { aspectResult } from './aspect-result';
import { StorageStatus, WriteStatus } from './write-status';

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
