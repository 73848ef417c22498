/** Message strings are part of the wire contract (existing clients match on them): do not reword. */
export const Messages = {
  PENDING_PRIMARY: 'Pending primary storage write.',
  PRIMARY_FAILED: 'Primary storage write failed.',
  PRIMARY_INDETERMINATE: 'Primary storage write indeterminate.',
  NOT_PROCESSED: 'Consumer has not processed offset.',
  PROCESSED_PAST: 'Consumer has processed past the offset.',
  MISSING_OFFSETS: 'Missing consumer offsets.',
} as const;

/** Ours (the reference answers 500 instead): why Kafka could not decide, e.g. a timeout. */
export function kafkaLookupFailed(reason: string): string {
  return `Kafka lookup failed: ${reason}`;
}
