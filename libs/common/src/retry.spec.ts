import { retryForever } from './retry';
import { TimeoutError, withTimeout } from './timeout';

describe('retryForever', () => {
  it('retries until the work succeeds, reporting each failure', async () => {
    let calls = 0;
    const failures: number[] = [];
    const result = await retryForever(
      async () => {
        calls++;
        if (calls < 3) throw new Error('down');
        return 'up';
      },
      { initialDelayMs: 1, maxDelayMs: 4, onFailure: (_e, attempt) => failures.push(attempt) },
    );
    expect(result).toBe('up');
    expect(failures).toEqual([1, 2]);
  });

  it('gives up when stopped', async () => {
    let stop = false;
    const result = await retryForever(
      async () => {
        stop = true;
        throw new Error('down');
      },
      { initialDelayMs: 1, maxDelayMs: 1, stopped: () => stop },
    );
    expect(result).toBeUndefined();
  });
});

describe('withTimeout', () => {
  it('rejects with a TimeoutError naming what was slow', async () => {
    await expect(withTimeout(new Promise(() => undefined), 10, 'kafka')).rejects.toThrow(TimeoutError);
    await expect(withTimeout(new Promise(() => undefined), 10, 'kafka')).rejects.toThrow('kafka did not answer within 10 ms');
  });

  it('passes the value through', async () => {
    await expect(withTimeout(Promise.resolve(3), 100, 'x')).resolves.toBe(3);
  });
});
