import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';

/** Where a traced message went: its partition and offset, and when it was produced. */
export interface ProducedPosition {
  partition: number;
  offset: string;
  timestamp: number;
}

/** What a record is a write of, for the records a trace may look for (KafkaPublisher records where they went). */
export interface TracedRecord {
  traceId: string;
  aspect: string;
}

/** Entries kept: about 150 bytes each, so at most ~8 MB. */
const MAX_ENTRIES = 50_000;
/** A trace asked later than this scans Kafka as before. */
const TTL_MS = 10 * 60 * 1000;

/**
 * The messages this process produced lately, by (trace id, URN, aspect, topic): where they are. A trace of a write
 * this process accepted (the usual case: a client keeps its connection, so its traces reach the process that took
 * its writes) then knows its message's partition and offset without scanning the partition for it. Only a hint:
 * a trace that finds nothing here scans as before, and nothing but the offset comes from here.
 */
@Injectable()
export class ProducedMessages {
  private readonly positions = new LRUCache<string, ProducedPosition>({ max: MAX_ENTRIES, ttl: TTL_MS });

  record(topic: string, urn: string, traced: TracedRecord, position: ProducedPosition): void {
    this.positions.set(keyOf(topic, urn, traced.traceId, traced.aspect), position);
  }

  find(topic: string, urn: string, traceId: string, aspect: string): ProducedPosition | undefined {
    return this.positions.get(keyOf(topic, urn, traceId, aspect));
  }
}

function keyOf(topic: string, urn: string, traceId: string, aspect: string): string {
  return `${topic}\u0000${urn}\u0000${traceId}\u0000${aspect}`;
}
