import { ROOT_CONTEXT } from '@opentelemetry/api';
import { traceLogEnabled, traceLogRequested, withTraceLog } from './trace-log-flag';

describe('traceLogRequested', () => {
  it.each([
    [{ 'x-enable-trace-log': 'true' }, true],
    [{ 'x-enable-trace-log': 'TRUE' }, true],
    [{ 'x-enable-trace-log': ' True ' }, true],
    [{ 'x-enable-trace-log': 'false' }, false],
    [{ 'x-enable-trace-log': 'yes' }, false],
    [{ 'x-enable-trace-log': '' }, false],
    [{ cookie: 'enable-trace-log=true' }, true],
    [{ cookie: 'a=b; enable-trace-log=true; c=d' }, true],
    [{ cookie: 'enable-trace-log=false' }, false],
    [{ cookie: 'enable-trace-log' }, false],
    [{ cookie: '=true;;;enable-trace-log==true' }, false],
    [{ cookie: 'xenable-trace-log=true' }, false],
    [{}, false],
  ])('%j -> %s', (headers, expected) => {
    expect(traceLogRequested(headers)).toBe(expected);
  });

  it('keeps the flag in a context', () => {
    expect(traceLogEnabled(ROOT_CONTEXT)).toBe(false);
    expect(traceLogEnabled(withTraceLog(ROOT_CONTEXT, true))).toBe(true);
  });
});
