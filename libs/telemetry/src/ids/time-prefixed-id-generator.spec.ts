import { TimePrefixedIdGenerator } from './time-prefixed-id-generator';
import { timestampOf } from './trace-id-time';

describe('TimePrefixedIdGenerator', () => {
  const at = Date.parse('2025-01-22T23:13:32.503Z');

  it('puts the clock in microseconds in the first 16 hex', () => {
    const id = new TimePrefixedIdGenerator({ now: () => at }).generateTraceId();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(id.slice(0, 16)).toBe('00062c53a468cbd8');
    expect(timestampOf(id, at)).toBe(at);
  });

  it('uses random bits for the rest', () => {
    const gen = new TimePrefixedIdGenerator({ now: () => at });
    expect(gen.generateTraceId().slice(16)).not.toBe(gen.generateTraceId().slice(16));
  });

  it('uses the real clock by default', () => {
    const before = Date.now();
    const ms = timestampOf(new TimePrefixedIdGenerator().generateTraceId());
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now());
  });

  it('makes 16-hex span ids', () => {
    const gen = new TimePrefixedIdGenerator();
    expect(gen.generateSpanId()).toMatch(/^[0-9a-f]{16}$/);
    expect(gen.generateSpanId()).not.toBe(gen.generateSpanId());
  });

  it('never makes an all-zero span id', () => {
    let calls = 0;
    const zeroesThenOnes = (n: number) => new Uint8Array(n).fill(calls++ === 0 ? 0 : 1);
    const gen = new TimePrefixedIdGenerator({ randomBytes: zeroesThenOnes });
    expect(gen.generateSpanId()).toBe('0101010101010101');
  });

  it('never makes an all-zero span id even from a broken random source', () => {
    const gen = new TimePrefixedIdGenerator({ randomBytes: (n) => new Uint8Array(n) });
    expect(gen.generateSpanId()).toBe('0000000000000001');
  });

  it('never makes an all-zero trace id even with a clock at the epoch', () => {
    const gen = new TimePrefixedIdGenerator({ now: () => 0, randomBytes: (n) => new Uint8Array(n) });
    expect(gen.generateTraceId()).toBe('00000000000000000000000000000001');
  });
});
