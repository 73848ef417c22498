import { randomBytes } from 'crypto';

/** True when `s` is exactly `length` lowercase hex characters (the W3C form). */
export function isLowerHex(s: string, length: number): boolean {
  return s.length === length && /^[0-9a-f]+$/.test(s);
}

/** W3C forbids all-zero trace and span ids: they mean "no id". */
export function isAllZero(hex: string): boolean {
  return /^0+$/.test(hex);
}

export type RandomBytes = (size: number) => Uint8Array;

/** `size` random bytes as 2*size lowercase hex characters. */
export function randomHex(size: number, source: RandomBytes = randomBytes): string {
  return Buffer.from(source(size)).toString('hex');
}
