import { AspectVersionMismatch, InvalidProposal } from './proposal-errors';

export const IF_VERSION_MATCH = 'If-Version-Match';

/** The `If-Version-Match` value of a proposal's headers (any case), if any. */
export function expectedVersion(headers: Record<string, string> | undefined): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === IF_VERSION_MATCH.toLowerCase());
  return key === undefined ? undefined : String(headers[key]).trim();
}

/** Throws unless the header is a whole number; used by the API to refuse a bad header up front. */
export function checkVersionHeaderFormat(value: string): void {
  if (!/^-?\d{1,18}$/.test(value)) throw new InvalidProposal(`${IF_VERSION_MATCH} must be a whole number, got ${JSON.stringify(value).slice(0, 40)}`);
}

/** Conditional write: the stored version (-1 when the aspect does not exist) must equal the expected one. */
export function checkIfVersionMatch(headers: Record<string, string> | undefined, actual: number): void {
  const expected = expectedVersion(headers);
  if (expected === undefined) return;
  checkVersionHeaderFormat(expected);
  if (BigInt(expected) !== BigInt(actual)) throw new AspectVersionMismatch(expected, actual);
}
