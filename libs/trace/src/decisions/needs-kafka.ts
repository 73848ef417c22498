import { StorageStatus } from './write-status';

/**
 * First-pass answer when SQL and OpenSearch cannot settle an aspect. The service then reads Kafka for
 * exactly these aspects (none when everything resolves, so a clean trace never touches Kafka).
 */
export const NEEDS_KAFKA = 'needs-kafka';

export type FromStores = StorageStatus | typeof NEEDS_KAFKA;
