/**
 * Consecutive chunks of `items`, in order, each with at most `maxCount` items and at most `maxBytes` by
 * `sizeOf` (an item larger than `maxBytes` is a chunk of its own). The one rule for every batch bound:
 * consumer slices, SQL transactions, produce requests.
 */
export function chunksBySize<T>(items: Iterable<T>, sizeOf: (item: T) => number, maxBytes = Infinity, maxCount = Infinity): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (chunk.length > 0 && (chunk.length >= maxCount || bytes + size > maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(item);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
