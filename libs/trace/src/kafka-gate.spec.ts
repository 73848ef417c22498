import { TraceKafkaGate, TraceSaturated, unlessSaturated } from './kafka-gate';

describe('TraceKafkaGate', () => {
  const gate = (maxInFlight: number, queueMs: number) => new TraceKafkaGate({ maxInFlight, queueMs });

  it('takes nothing until a slot is entered, and one slot per trace however many Kafka reads it makes', async () => {
    const g = gate(1, 0);
    const a = g.slot();
    expect(g.busy).toBe(0);
    await a.enter();
    await a.enter();
    expect(g.busy).toBe(1);
    a.release();
    a.release();
    expect(g.busy).toBe(0);
  });

  it('refuses a trace with TraceSaturated (Retry-After at least 1 s) when no slot frees up within queueMs', async () => {
    const g = gate(2, 30);
    await g.slot().enter();
    await g.slot().enter();
    const refused = await g
      .slot()
      .enter()
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TraceSaturated);
    expect((refused as TraceSaturated).retryAfterSeconds).toBe(1);
    expect((refused as TraceSaturated).message).toMatch(/TRACE_KAFKA_MAX_INFLIGHT/);
    expect(g.busy).toBe(2);
  });

  it('hands a released slot to the longest waiter, first come first served', async () => {
    const g = gate(1, 1000);
    const holder = g.slot();
    await holder.enter();
    const order: string[] = [];
    const first = g.slot();
    const second = g.slot();
    const p1 = first.enter().then(() => order.push('first'));
    const p2 = second.enter().then(() => order.push('second'));
    holder.release();
    await p1;
    expect(order).toEqual(['first']);
    expect(g.busy).toBe(1);
    first.release();
    await p2;
    expect(order).toEqual(['first', 'second']);
    second.release();
    expect(g.busy).toBe(0);
  });

  it('a refused waiter leaves the queue: the next release goes to the pool, not to it', async () => {
    const g = gate(1, 10);
    const holder = g.slot();
    await holder.enter();
    await expect(g.slot().enter()).rejects.toBeInstanceOf(TraceSaturated);
    holder.release();
    expect(g.busy).toBe(0);
  });
});

describe('unlessSaturated', () => {
  it('gives the result, undefined for a refusal, and throws anything else', async () => {
    expect(await unlessSaturated(Promise.resolve(7))).toBe(7);
    expect(await unlessSaturated(Promise.reject(new TraceSaturated(2, 1)))).toBeUndefined();
    await expect(unlessSaturated(Promise.reject(new Error('MySQL down')))).rejects.toThrow('MySQL down');
  });
});
