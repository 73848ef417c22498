import { randomFillSync } from 'crypto';

/** True when `s` is exactly `length` lowercase hex characters (the W3C form). */
export function isLowerHex(s: string, length: number): boolean {
  return s.length === length && /^[0-9a-f]+$/.test(s);
}

/** W3C forbids all-zero trace and span ids: they mean "no id". */
export function isAllZero(hex: string): boolean {
  return /^0+$/.test(hex);
}

export type RandomBytes = (size: number) => Uint8Array;

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/**
 * Cryptographically random bytes, drawn from a pool refilled 4 KiB at a time: ids are minted for
 * every span, and one system call per 8-byte id was 7 % of the service's CPU under write load.
 * Bytes handed out are never handed out again. Larger requests than the pool are filled directly.
 */
export function pooledRandomBytes(size: number): Uint8Array {
  if (size > POOL_BYTES) return randomFillSync(Buffer.alloc(size));
  if (used + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    used = 0;
  }
  const bytes = pool.subarray(used, used + size);
  used += size;
  return bytes;
}

/** `size` random bytes as 2*size lowercase hex characters. */
export function randomHex(size: number, source: RandomBytes = pooledRandomBytes): string {
  return Buffer.from(source(size)).toString('hex');
}
