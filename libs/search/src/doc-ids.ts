import { createHash } from 'crypto';

/**
 * Document ids are hashes rather than the raw key: a URN may be 500 characters (OpenSearch caps ids at
 * 512 bytes) and holds `/`, `,`, `(` that would need escaping in every URL. sha256 in base64url is
 * 43 URL-safe characters, the same for every writer and reader, so a redelivered change log overwrites
 * its own document instead of adding a second one.
 */
function hashId(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('base64url');
}

/**
 * The system_metadata_service_v1 document of (urn, aspect). NUL separates the parts because neither can
 * contain it (URNs reject control characters), so distinct pairs never join to the same text.
 */
export function systemMetadataDocId(urn: string, aspect: string): string {
  return hashId(`${urn}\u0000${aspect}`);
}

/**
 * A timeseries event's document: one per (urn, timestampMillis, partition, messageId), DataHub's identity
 * of an event, so restating an event replaces it. JSON keeps the parts apart whatever they contain.
 */
export function timeseriesDocId(urn: string, timestampMillis: number, partition?: string, messageId?: string): string {
  return hashId(JSON.stringify([urn, timestampMillis, partition ?? null, messageId ?? null]));
}
