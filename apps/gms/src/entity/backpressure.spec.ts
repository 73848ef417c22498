import { ArgumentsHost, HttpException } from '@nestjs/common';
import { Settings } from '@lib/config';
import { ConsumerGroupMonitor, GroupView } from '@lib/kafka';
import { DomainErrorsFilter, httpExceptionOf } from '../http/domain-errors.filter';
import { Backpressure, throttled, WritesThrottled } from './backpressure';

const q = (lag: number, rate: number) => ({ groupId: 'mce', lag, rate });

describe('throttled: the backpressure rule', () => {
  it.each([
    { name: 'both bounds off', lag: 1e6, rate: 0, bounds: { maxLag: 0, maxWaitMs: 0 }, retryAfter: undefined },
    { name: 'lag at the bound', lag: 500, rate: 100, bounds: { maxLag: 500, maxWaitMs: 0 }, retryAfter: undefined },
    { name: 'lag over the bound: the time to drain the excess', lag: 750, rate: 100, bounds: { maxLag: 500, maxWaitMs: 0 }, retryAfter: 3 },
    { name: 'lag over the bound, not consuming', lag: 750, rate: 0, bounds: { maxLag: 500, maxWaitMs: 0 }, retryAfter: 5 },
    { name: 'a tiny excess still waits a second', lag: 501, rate: 1000, bounds: { maxLag: 500, maxWaitMs: 0 }, retryAfter: 1 },
    { name: 'a huge excess waits at most a minute', lag: 1e6, rate: 10, bounds: { maxLag: 500, maxWaitMs: 0 }, retryAfter: 60 },
    { name: 'drain time under the bound', lag: 400, rate: 100, bounds: { maxLag: 0, maxWaitMs: 5000 }, retryAfter: undefined },
    { name: 'drain time over the bound', lag: 800, rate: 100, bounds: { maxLag: 0, maxWaitMs: 5000 }, retryAfter: 3 },
    { name: 'lag nobody consumes: unbounded drain time', lag: 1, rate: 0, bounds: { maxLag: 0, maxWaitMs: 5000 }, retryAfter: 5 },
    { name: 'no lag, nobody consuming: nothing to wait for', lag: 0, rate: 0, bounds: { maxLag: 10, maxWaitMs: 5000 }, retryAfter: undefined },
  ])('$name -> Retry-After $retryAfter', ({ lag, rate, bounds, retryAfter }) => {
    expect(throttled(q(lag, rate), bounds)?.retryAfterSeconds).toBe(retryAfter);
  });

  it('names the bound passed, says nothing was queued and what is not throttled', () => {
    expect(throttled(q(750, 100), { maxLag: 500, maxWaitMs: 0 })?.message).toBe(
      'Asynchronous writes are throttled: the consumer group mce is 750 messages behind (bound BACKPRESSURE_MAX_LAG=500). ' +
        'Nothing of this request was queued; retry after 3 s. Synchronous writes (async=false) and traces are not throttled.',
    );
    expect(throttled(q(800, 100), { maxLag: 0, maxWaitMs: 5000 })?.message).toContain(
      'an estimated 8000 ms from catching up (bound BACKPRESSURE_MAX_WAIT_MS=5000)',
    );
    expect(throttled(q(3, 0), { maxLag: 0, maxWaitMs: 5000 })?.message).toContain('unbounded time (it is not consuming)');
  });
});

describe('Backpressure', () => {
  const settings = (maxLag: number, maxWaitMs: number) => ({ backpressure: { maxLag, maxWaitMs }, groups: { mce: 'mce', mae: 'mae' } }) as unknown as Settings;
  const monitorOf = (group: Partial<GroupView> | undefined) =>
    ({ group: (id: string) => (group ? { groupId: id, ...group } : undefined) }) as unknown as ConsumerGroupMonitor;

  it('refuses while the MCE group is past a bound, and lets writes go otherwise', () => {
    expect(() => new Backpressure(monitorOf({ lag: 900, rate: 100 }), settings(500, 0)).check()).toThrow(WritesThrottled);
    expect(() => new Backpressure(monitorOf({ lag: 100, rate: 100 }), settings(500, 0)).check()).not.toThrow();
  });

  it('is off with both bounds at 0, and before the first sample', () => {
    expect(() => new Backpressure(monitorOf({ lag: 1e9, rate: 0 }), settings(0, 0)).check()).not.toThrow();
    expect(() => new Backpressure(monitorOf(undefined), settings(1, 1)).check()).not.toThrow();
  });
});

describe('a throttled write over HTTP (DomainErrorsFilter)', () => {
  it('is a 429 with a JSON message and Retry-After', () => {
    const refused = throttled(q(750, 100), { maxLag: 500, maxWaitMs: 0 })!;
    const http = httpExceptionOf(refused) as HttpException;
    expect(http.getStatus()).toBe(429);
    expect(http.getResponse()).toEqual({ statusCode: 429, error: 'Too Many Requests', message: refused.message, retryAfterSeconds: 3 });

    const headers: Record<string, string> = {};
    const response = { setHeader: (k: string, v: string) => (headers[k] = v), status: () => response, json: () => response, headersSent: false };
    const host = { switchToHttp: () => ({ getResponse: () => response }), getArgByIndex: (i: number) => [undefined, response][i], getType: () => 'http' };
    const filter = new DomainErrorsFilter({
      isHeadersSent: () => false,
      reply: () => undefined,
      getRequestMethod: () => 'POST',
      getRequestUrl: () => '/',
    } as never);
    filter.catch(refused, host as unknown as ArgumentsHost);
    expect(headers['Retry-After']).toBe('3');
  });
});
