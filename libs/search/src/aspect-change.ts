import { SystemMetadata } from '@lib/metadata';

/** One aspect write as the search side indexes it: a MetadataChangeLog with its value already parsed. */
export interface AspectChange {
  entityType: string;
  urn: string;
  aspect: string;
  value: Record<string, unknown>;
  systemMetadata: SystemMetadata;
}

/** An (urn, aspect) pair the trace endpoint asks about. */
export interface AspectRef {
  urn: string;
  aspect: string;
}

/**
 * The key of an (urn, aspect) pair in the maps and sets the read side returns. NUL separates the parts
 * because it can occur in neither: URNs reject control characters and aspect names are identifiers.
 */
export function aspectKey(urn: string, aspect: string): string {
  return `${urn}\u0000${aspect}`;
}
