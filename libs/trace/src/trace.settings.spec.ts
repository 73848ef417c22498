import { Settings, validateEnv } from '@lib/config';

describe('TRACE_STORE_TIMEOUT_MS (the bound on each store read of a trace)', () => {
  it('defaults to 5000 ms', () => {
    expect(new Settings(validateEnv({})).trace.storeTimeoutMs).toBe(5000);
  });

  it('is read from the environment', () => {
    expect(new Settings(validateEnv({ TRACE_STORE_TIMEOUT_MS: '250' })).trace.storeTimeoutMs).toBe(250);
  });

  it.each(['5', '600001', 'soon'])('refuses %j', (value) => {
    expect(() => validateEnv({ TRACE_STORE_TIMEOUT_MS: value })).toThrow(/TRACE_STORE_TIMEOUT_MS=/);
  });
});
