import { Settings, validateEnv } from '@lib/config';
import { KafkaClient } from './kafka.client';
import { chunksOf, KafkaPublisher, OutgoingRecord } from './kafka-publisher';
import { partitionForKey } from './partition-for-key';
import { ProducedMessages } from './produced-messages';

const rec = (key: string, bytes: number): OutgoingRecord => ({ topic: 't', key, value: 'x'.repeat(bytes) });

describe('chunksOf', () => {
  it('splits records into consecutive chunks under the byte limit, keeping their order', () => {
    const records = [rec('a', 400), rec('b', 400), rec('c', 400), rec('d', 100)];
    const chunks = chunksOf(records, 1000);
    expect(chunks.map((c) => c.map((r) => r.key).join(''))).toEqual(['ab', 'cd']);
  });

  it('sends a record larger than the limit on its own', () => {
    expect(chunksOf([rec('a', 10), rec('b', 5000), rec('c', 10)], 1000).map((c) => c.map((r) => r.key).join(''))).toEqual(['a', 'b', 'c']);
  });

  it('keeps a small batch in one request', () => {
    expect(chunksOf([rec('a', 10), rec('b', 10)], 1000)).toHaveLength(1);
  });
});

describe('KafkaPublisher: where traced records went (ProducedMessages)', () => {
  /** A client whose producer acknowledges each partition's records from a base offset of 100 + partition. */
  function publisherWith(partitions: number) {
    const batches: { topic: string; messages: { key: string }[] }[][] = [];
    const producer = {
      sendBatch: async ({ topicMessages }: { topicMessages: { topic: string; messages: { key: string }[] }[] }) => {
        batches.push(topicMessages);
        return topicMessages.flatMap(({ topic, messages }) =>
          [...new Set(messages.map((m) => partitionForKey(m.key, partitions)))].map((partition) => ({
            topicName: topic,
            partition,
            errorCode: 0,
            baseOffset: String(100 + partition),
          })),
        );
      },
    };
    const admin = {
      fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
        topics: topics.map((name) => ({ name, partitions: Array.from({ length: partitions }, (_, i) => ({ partitionId: i })) })),
      }),
    };
    const client = { getProducer: async () => producer, getAdmin: async () => admin } as unknown as KafkaClient;
    const produced = new ProducedMessages();
    return { publisher: new KafkaPublisher(client, new Settings(validateEnv({})), undefined, produced), produced };
  }
  const traced = (key: string, aspect: string): OutgoingRecord => ({ topic: 'mcp', key, value: '{}', traced: { traceId: 'tr', aspect } });

  it("records each traced record's partition and offset: its partition's base offset plus the records before it there", async () => {
    const { publisher, produced } = publisherWith(3);
    await publisher.send([traced('a', 'x')]); // the first batch reads the partition count; not recorded
    await new Promise((r) => setImmediate(r));
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
    await publisher.send(keys.map((k) => traced(k, 'status')));
    const seen = new Map<number, number>();
    for (const k of keys) {
      const p = partitionForKey(k, 3);
      const before = seen.get(p) ?? 0;
      seen.set(p, before + 1);
      expect(produced.find('mcp', k, 'tr', 'status')).toMatchObject({ partition: p, offset: String(100 + p + before) });
    }
    expect(produced.find('mcp', 'k1', 'other trace', 'status')).toBeUndefined();
  });
});
