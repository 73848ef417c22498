import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import { isAllZero, randomHex, RandomBytes } from './hex';
import { timePrefix } from './trace-id-time';

export interface TimePrefixedIdGeneratorOptions {
  /** Epoch ms; injectable so tests get fixed ids. */
  now?: () => number;
  /** Source of random bytes; injectable so tests can force the all-zero case. */
  randomBytes?: RandomBytes;
}

/**
 * OpenTelemetry id generator whose trace ids carry the request start time (see timestampOf):
 * 16 hex of epoch microseconds + 16 random hex. Span ids are 16 random hex, never all zero.
 */
export class TimePrefixedIdGenerator implements IdGenerator {
  private readonly now: () => number;
  private readonly randomBytes?: RandomBytes;

  constructor(options: TimePrefixedIdGeneratorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.randomBytes = options.randomBytes;
  }

  generateTraceId(): string {
    const prefix = timePrefix(this.now());
    // Only a clock at the epoch could make the whole id zero; keep the id valid even then.
    const random = isAllZero(prefix) ? this.nonZeroHex(8) : randomHex(8, this.randomBytes);
    return prefix + random;
  }

  generateSpanId(): string {
    return this.nonZeroHex(8);
  }

  /** All-zero ids are invalid in W3C trace context; draw again (1 in 2^64, or a stubbed source). */
  private nonZeroHex(size: number): string {
    for (let attempt = 0; attempt < 8; attempt++) {
      const hex = randomHex(size, this.randomBytes);
      if (!isAllZero(hex)) return hex;
    }
    return '0'.repeat(size * 2 - 1) + '1';
  }
}
