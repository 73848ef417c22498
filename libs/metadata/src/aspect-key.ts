/**
 * The key of an (urn, aspect) pair in maps and sets, on the write and the read side alike. NUL separates the
 * parts because it can occur in neither: URNs reject control characters and aspect names are identifiers.
 */
export function aspectKey(urn: string, aspect: string): string {
  return `${urn}\u0000${aspect}`;
}
