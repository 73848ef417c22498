import { PartitionMetadata, Partitioners } from 'kafkajs';

/**
 * kafkajs' own DefaultPartitioner (Java-compatible murmur2, toPositive, modulo), called through its
 * public interface rather than re-implemented, so we always agree with the producer that wrote the
 * message. Its only state is a round-robin counter for keyless messages, which a key never touches.
 */
const partitioner = Partitioners.DefaultPartitioner();

/** The partitioner only counts the metadata entries (and checks leaders for keyless messages). */
const metadataFor = (partitions: number): PartitionMetadata[] =>
  Array.from({ length: partitions }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));

const metadataCache = new Map<number, PartitionMetadata[]>();

/** The partition kafkajs' DefaultPartitioner puts a message keyed `key` on, for a topic of `partitions` partitions. */
export function partitionForKey(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  }
  let partitionMetadata = metadataCache.get(partitions);
  if (partitionMetadata === undefined) {
    partitionMetadata = metadataFor(partitions);
    metadataCache.set(partitions, partitionMetadata);
  }
  return partitioner({ topic: '', partitionMetadata, message: { key, value: null } });
}
