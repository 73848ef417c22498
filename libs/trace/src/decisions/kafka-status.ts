import { KafkaLookup, Offset } from './kafka-lookup';
import { kafkaLookupFailed, Messages } from './messages';
import { storageStatus, StorageStatus, WriteStatus } from './write-status';

/**
 * The offset rule shared by every Kafka step (5.1 step 5, 5.2 ACTIVE and timeseries):
 * found at or after the committed offset, or before the group ever committed there -> PENDING;
 * found before the committed offset -> the consumer read it and yet the store lacks it -> ERROR.
 *
 * Deliberate differences from the reference: a message exactly AT the committed offset is PENDING
 * (committed = next offset to read); a partition the group has not committed yet is PENDING, not UNKNOWN.
 * A message that is not there means this write did not touch the aspect: NO_OP, as in the reference,
 * so tracing with an empty aspect list (= every aspect) does not report untouched aspects as errors.
 */
export function statusFromKafka(lookup: KafkaLookup): StorageStatus {
  switch (lookup.kind) {
    case 'failed':
      return storageStatus(WriteStatus.UNKNOWN, kafkaLookupFailed(lookup.reason));
    case 'no-group':
      return storageStatus(WriteStatus.UNKNOWN, Messages.MISSING_OFFSETS);
    case 'not-found':
      return storageStatus(WriteStatus.NO_OP);
    case 'found':
      return statusFromOffsets(lookup.offset, lookup.committed);
  }
}

function statusFromOffsets(offset: Offset, committed: Offset | null): StorageStatus {
  const message = toBigInt(offset);
  const next = committed === null ? -1n : toBigInt(committed);
  if (message === undefined || next === undefined) {
    return storageStatus(WriteStatus.UNKNOWN, kafkaLookupFailed(`invalid offset (${String(offset)}, ${String(committed)})`));
  }
  // kafkajs reports '-1' for a partition without a committed offset: same as null.
  if (next < 0n || message >= next) return storageStatus(WriteStatus.PENDING, Messages.NOT_PROCESSED);
  return storageStatus(WriteStatus.ERROR, Messages.PROCESSED_PAST);
}

/** Offsets are 64-bit: compare as BigInt ('10' > '9'), and never throw on junk. */
export function toBigInt(offset: Offset): bigint | undefined {
  try {
    if (typeof offset === 'number' && !Number.isInteger(offset)) return undefined;
    if (typeof offset === 'string' && !/^-?\d+$/.test(offset.trim())) return undefined;
    return BigInt(typeof offset === 'string' ? offset.trim() : offset);
  } catch {
    return undefined;
  }
}
