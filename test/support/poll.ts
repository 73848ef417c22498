/**
 * Polls `probe` until `done` accepts its value, and returns that value; on timeout, fails with the
 * last value seen, so an asynchronous end-to-end step says what state it was stuck in.
 */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, ms = 30000, every = 200): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`condition not met within ${ms} ms; last value: ${JSON.stringify(last)}${lastError ? `; last error: ${String(lastError)}` : ''}`);
}
