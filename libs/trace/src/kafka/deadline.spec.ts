import { budgetUntil, DeadlineError, forEachLimited, withDeadline } from './deadline';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

describe('budgetUntil / withDeadline', () => {
  it('passes the work through when it finishes in time', async () => {
    const budget = budgetUntil(Date.now() + 1000);
    await expect(
      withDeadline(
        sleep(5).then(() => 'done'),
        budget.signal,
      ),
    ).resolves.toBe('done');
    budget.dispose();
  });

  it('rejects with a DeadlineError saying how long the budget was', async () => {
    const budget = budgetUntil(Date.now() + 30);
    const err = await withDeadline(sleep(5000), budget.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineError);
    expect((err as Error).message).toMatch(/^timed out after (29|30) ms$/);
  });

  it('is already over for a deadline in the past', async () => {
    const budget = budgetUntil(Date.now() - 5);
    await sleep(1);
    await expect(withDeadline(sleep(10), budget.signal)).rejects.toThrow('timed out after 0 ms');
  });

  it('aborts what still listens when disposed early', () => {
    const budget = budgetUntil(Date.now() + 1000);
    budget.dispose();
    expect(budget.signal.aborted).toBe(true);
    expect(budget.signal.reason).not.toBeInstanceOf(DeadlineError);
  });
});

describe('forEachLimited', () => {
  it('runs everything, never more than `limit` at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await sleep(5);
      done.push(n);
      running--;
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('starts nothing new once the signal aborted', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    await forEachLimited(
      [1, 2, 3, 4],
      1,
      async (n) => {
        started.push(n);
        if (n === 2) controller.abort();
      },
      controller.signal,
    );
    expect(started).toEqual([1, 2]);
  });
});
