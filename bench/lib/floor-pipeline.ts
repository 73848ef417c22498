import { Consumer, EachBatchPayload } from 'kafkajs';
import { systemMetadataDocId, systemMetadataIndex } from '@lib/search';
import { kafka, NAMES } from './env';
import { createFloorTopics, lagOf, moveGroupToEnd, Stack, waitGroupStable } from './stack';
import { nowMs, sleep } from './stats';

const PARTITIONS_CONCURRENCY = 3;

interface Mcp {
  entityUrn: string;
  aspectName: string;
  aspect: { value: string };
  systemMetadata: { lastObserved: number; runId: string; properties: Record<string, string> };
  created: { actor: string };
}

/**
 * The floor of scenario 2: the same hops as the service's write path with nothing but the drivers -
 * MCP topic -> consumer -> one multi-row SQL upsert per batch -> change log topic -> consumer -> one
 * bulk request of system-metadata documents per batch - each consumer committing after its writes,
 * as the real consumers do. No validation, versioning, spans or framework.
 */
export class FloorPipeline {
  private readonly consumers: Consumer[] = [];

  constructor(private readonly stack: Stack) {}

  async start(): Promise<void> {
    await createFloorTopics(this.stack.admin);
    const index = await this.stack.search.indices.exists({ index: NAMES.floorIndex });
    if (!index.body) {
      await this.stack.search.indices.create({
        index: NAMES.floorIndex,
        body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: systemMetadataIndex.mappings },
      });
    }
    await this.startConsumers();
  }

  private async startConsumers(): Promise<void> {
    await this.consume(NAMES.floorMceGroup, NAMES.floorMcp, (p) => this.applyProposals(p));
    await this.consume(NAMES.floorMaeGroup, NAMES.floorMcl, (p) => this.indexChangeLogs(p));
    await Promise.all([waitGroupStable(this.stack.admin, NAMES.floorMceGroup), waitGroupStable(this.stack.admin, NAMES.floorMaeGroup)]);
  }

  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.disconnect()));
    this.consumers.length = 0;
  }

  /**
   * Like drainOrDrop for the service: waits until both floor consumers have nothing left to do; when they
   * do not get there within `ms`, stops them, moves both groups to the end of their topics and restarts them.
   */
  async idle(ms: number): Promise<{ waitedMs: number; dropped?: { mcp: number; mcl: number } }> {
    const t0 = nowMs();
    const lags = async () => ({
      mcp: await lagOf(this.stack.admin, NAMES.floorMceGroup, NAMES.floorMcp),
      mcl: await lagOf(this.stack.admin, NAMES.floorMaeGroup, NAMES.floorMcl),
    });
    let lag = await lags();
    while (lag.mcp + lag.mcl > 0 && nowMs() - t0 < ms) {
      await sleep(250);
      lag = await lags();
    }
    const waitedMs = Math.round(nowMs() - t0);
    if (lag.mcp + lag.mcl === 0) return { waitedMs };
    await this.stop();
    await moveGroupToEnd(this.stack.admin, NAMES.floorMceGroup, NAMES.floorMcp);
    await moveGroupToEnd(this.stack.admin, NAMES.floorMaeGroup, NAMES.floorMcl);
    await this.startConsumers();
    return { waitedMs, dropped: lag };
  }

  private async consume(groupId: string, topic: string, handle: (p: EachBatchPayload) => Promise<void>): Promise<void> {
    const consumer = kafka('bench-floor').consumer({ groupId, allowAutoTopicCreation: false });
    this.consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      // As many partitions at once as the service's consumers (KAFKA_CONSUMER_PARTITIONS_CONCURRENCY, default 3).
      partitionsConsumedConcurrently: PARTITIONS_CONCURRENCY,
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (batch.messages.length === 0) return;
        await handle(payload);
        const last = batch.messages[batch.messages.length - 1].offset;
        payload.resolveOffset(last);
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
        await payload.heartbeat();
      },
    });
  }

  private async applyProposals({ batch }: EachBatchPayload): Promise<void> {
    const mcps = batch.messages.map((m) => JSON.parse(String(m.value)) as Mcp);
    const now = new Date();
    await this.stack.sql.query(
      'INSERT INTO metadata_aspect_v2 (urn, aspect, version, metadata, systemmetadata, createdon, createdby) VALUES ? ' +
        'ON DUPLICATE KEY UPDATE metadata = VALUES(metadata), systemmetadata = VALUES(systemmetadata), createdon = VALUES(createdon)',
      [mcps.map((m) => [m.entityUrn, m.aspectName, 0, m.aspect.value, JSON.stringify(m.systemMetadata), now, m.created.actor])],
    );
    await this.stack.producer.sendBatch({
      acks: -1,
      topicMessages: [{ topic: NAMES.floorMcl, messages: batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) }],
    });
  }

  private async indexChangeLogs({ batch }: EachBatchPayload): Promise<void> {
    const body = batch.messages.flatMap((m) => {
      const mcl = JSON.parse(String(m.value)) as Mcp;
      const sm = mcl.systemMetadata;
      return [
        { index: { _index: NAMES.floorIndex, _id: systemMetadataDocId(mcl.entityUrn, mcl.aspectName) } },
        {
          urn: mcl.entityUrn,
          aspect: mcl.aspectName,
          runId: sm.runId,
          lastUpdated: sm.lastObserved,
          removed: false,
          telemetryTraceId: sm.properties.telemetryTraceId,
        },
      ];
    });
    const res = await this.stack.search.bulk({ body });
    if (res.body.errors) throw new Error(`floor bulk rejected items: ${JSON.stringify(res.body.items[0]).slice(0, 300)}`);
  }
}
