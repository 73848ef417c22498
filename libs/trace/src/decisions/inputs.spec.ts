import { parseWriteExceptions } from './inputs';

describe('parseWriteExceptions (the failed topic `error` field)', () => {
  it('reads the JSON array, including nested causes', () => {
    const error = JSON.stringify([
      {
        message: 'Expected version -10000, actual version -1',
        exceptionClass: 'AspectValidationException',
        stackTrace: ['a', 'b'],
        cause: { message: 'inner', exceptionClass: 'Error', stackTrace: [] },
      },
    ]);
    expect(parseWriteExceptions(error)).toEqual([
      {
        message: 'Expected version -10000, actual version -1',
        exceptionClass: 'AspectValidationException',
        stackTrace: ['a', 'b'],
        cause: { message: 'inner', exceptionClass: 'Error', stackTrace: [] },
      },
    ]);
  });

  it.each([
    ['plain text', 'boom', [{ message: 'boom', exceptionClass: '', stackTrace: [] }]],
    ['a JSON object, not an array', '{"message":"x"}', [{ message: '{"message":"x"}', exceptionClass: '', stackTrace: [] }]],
    ['an item without a message', '[{"exceptionClass":"E"}]', [{ message: '{"exceptionClass":"E"}', exceptionClass: '', stackTrace: [] }]],
    ['missing optional parts', '[{"message":"m"}]', [{ message: 'm', exceptionClass: '', stackTrace: [] }]],
  ])('keeps the failure from %s without throwing', (_name, error, expected) => {
    expect(parseWriteExceptions(error)).toEqual(expected);
  });
});
