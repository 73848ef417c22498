import { RestartBackoff } from './restart-backoff';

describe('RestartBackoff', () => {
  const opts = { initialMs: 1000, maxMs: 30000, stableMs: 30000 };

  it('replaces a worker that had been running for a while at once', () => {
    const backoff = new RestartBackoff(opts);
    expect(backoff.next(3_600_000)).toBe(0);
    expect(backoff.next(60_000)).toBe(0);
  });

  it('backs off exponentially, up to the bound, while workers keep dying young', () => {
    const backoff = new RestartBackoff(opts);
    const delays = Array.from({ length: 9 }, () => backoff.next(200));
    expect(delays).toEqual([0, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('starts over once a worker has run stably', () => {
    const backoff = new RestartBackoff(opts);
    for (let i = 0; i < 5; i++) backoff.next(100);
    expect(backoff.next(100)).toBe(16000);
    expect(backoff.next(30_000)).toBe(0);
    expect(backoff.next(100)).toBe(1000);
  });

  it('defaults to 1 s doubling up to 30 s', () => {
    const backoff = new RestartBackoff();
    expect([backoff.next(0), backoff.next(0), backoff.next(0)]).toEqual([0, 1000, 2000]);
    for (let i = 0; i < 10; i++) backoff.next(0);
    expect(backoff.next(0)).toBe(30000);
  });
});
