import { SystemMetadata } from '@lib/metadata';

/** One aspect write as the search side indexes it: a MetadataChangeLog with its value already parsed. */
export interface AspectChange {
  entityType: string;
  urn: string;
  aspect: string;
  /** The new value; null when the aspect was deleted (a DELETE change log). */
  value: Record<string, unknown> | null;
  systemMetadata: SystemMetadata;
}

/** An (urn, aspect) pair the trace endpoint asks about. */
export interface AspectRef {
  urn: string;
  aspect: string;
}

export { aspectKey } from '@lib/metadata';
