import { Client } from '@opensearch-project/opensearch';
import { Admin, Kafka, Message, Producer } from 'kafkajs';
import { Pool } from 'mysql2/promise';
import { ENV, NAMES, SUFFIX, URN_PREFIX } from './env';
import { sleep } from './stats';

/** Connections the scenarios share: one admin, one producer (configured like the service's), a pool and a search client. */
export interface Stack {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  sql: Pool;
  search: Client;
}

const isBenchTopic = (t: string) => t.endsWith(SUFFIX) || t.endsWith(`${SUFFIX}_floor`) || t.endsWith(`${SUFFIX}_ingest`);
const isBenchGroup = (g: string) => g.endsWith(SUFFIX) || g.startsWith('bench-floor-') || g.startsWith('metadata-service-bench-trace-reader-');

/**
 * Removes everything a previous bench run left: its topics (and so its messages), its consumer groups,
 * its indices and its SQL rows. Scenario 5 counts the messages on the topics, so every run starts empty.
 */
export async function resetBenchState({ admin, sql, search }: Stack): Promise<void> {
  const topics = (await admin.listTopics()).filter(isBenchTopic);
  if (topics.length) await admin.deleteTopics({ topics, timeout: 30000 });
  for (let i = 0; i < 120 && (await admin.listTopics()).some(isBenchTopic); i++) await sleep(250);
  const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter(isBenchGroup);
  if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  const indices = (await search.cat.indices({ index: `${ENV.OPENSEARCH_INDEX_PREFIX}*`, format: 'json' }).catch(() => ({ body: [] }))).body as {
    index: string;
  }[];
  for (const { index } of indices) await search.indices.delete({ index });
  await sql.query('DELETE FROM metadata_aspect_v2 WHERE urn LIKE ?', [`${URN_PREFIX}%`]).catch((err: { code?: string }) => {
    if (err.code !== 'ER_NO_SUCH_TABLE') throw err;
  });
}

/** The topics the floor pipeline uses (the service's own are created by its setup). */
export async function createFloorTopics(admin: Admin): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: [NAMES.floorMcp, NAMES.floorMcl].map((topic) => ({ topic, numPartitions: NAMES.partitions, replicationFactor: 1 })),
  });
}

/** Messages not yet committed by `groupId` on `topic` (a partition it never committed counts from its start). */
export async function lagOf(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const at = new Map(committed.partitions.map((p) => [p.partition, BigInt(p.offset)]));
  return ends.reduce((sum, p) => {
    const c = at.get(p.partition) ?? -1n;
    return sum + Number(BigInt(p.high) - (c >= 0n ? c : BigInt(p.low)));
  }, 0);
}

/** Moves a group with no members to the end of `topic`: what was produced before is never consumed. */
export async function moveGroupToEnd(admin: Admin, groupId: string, topic: string): Promise<void> {
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
}

/** Waits until `groupId` has `members` members and is Stable (the consumer processes have really joined). */
export async function waitGroupStable(admin: Admin, groupId: string, members = 1, ms = 60000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const { groups } = await admin.describeGroups([groupId]);
    if (groups[0]?.state === 'Stable' && groups[0].members.length >= members) return;
    await sleep(200);
  }
  throw new Error(`consumer group ${groupId} did not become Stable with ${members} member(s) within ${ms} ms`);
}

/** Total messages on a topic (sum of high watermarks; the bench topics start empty). */
export async function messageCount(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((s, p) => s + Number(p.high) - Number(p.low), 0);
}

/** Produces `count` messages fast: big batches, several in flight, as a backfill would. */
export async function produceMany(producer: Producer, topic: string, count: number, make: (i: number) => Message, batch = 500, inFlight = 8): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const from = next;
        next = Math.min(count, next + batch);
        const messages = Array.from({ length: next - from }, (_, k) => make(from + k));
        await producer.send({ topic, acks: -1, messages });
      }
    }),
  );
}
