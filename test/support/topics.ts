import { Kafka } from 'kafkajs';

/** Sum of a topic's high watermarks: grows by one for every message produced to it. */
export async function messageCount(kafka: Kafka, topic: string): Promise<bigint> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + BigInt(p.high), 0n);
  } finally {
    await admin.disconnect();
  }
}

/** Every message of a topic with the given key, read from the beginning by a throwaway group. */
export async function messagesWithKey(
  kafka: Kafka,
  topic: string,
  key: string,
  timeoutMs = 8000,
): Promise<{ value: string; headers: Record<string, string> }[]> {
  const admin = kafka.admin();
  await admin.connect();
  const high = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const pending = new Map(high.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
  const found: { value: string; headers: Record<string, string> }[] = [];
  if (pending.size === 0) return found;
  const consumer = kafka.consumer({ groupId: `e2e-reader-${Date.now()}-${Math.random().toString(16).slice(2)}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (message.key?.toString() === key) {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          found.push({ value: message.value?.toString() ?? '', headers });
        }
        if (BigInt(message.offset) + 1n >= (pending.get(partition) ?? 0n)) pending.delete(partition);
        if (pending.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return found;
}
