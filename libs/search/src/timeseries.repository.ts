import { Injectable } from '@nestjs/common';
import { API } from '@opensearch-project/opensearch';
import { DEFAULT_RUN_ID, EntityRegistry, SystemMetadataKeys, TimeRange } from '@lib/metadata';
import { AspectChange, AspectRef, aspectKey } from './aspect-change';
import { BulkOperation } from './bulk-writer';
import { timeseriesDocId } from './doc-ids';
import { SearchClient } from './search.client';

export interface TimeseriesRef extends AspectRef {
  entityType: string;
}

/**
 * Timeseries events to delete:
 * - a timeseries DELETE (`aspect`, `range`): that aspect's events of `urn` whose timestampMillis is in the range
 *   (inclusive; a missing bound is open);
 * - an entity delete (no `aspect`, `writtenUpTo`: the delete's lastObserved): every event of `urn` in every
 *   timeseries index of its entity type (DataHub's hard delete) written up to the delete (`lastUpdated <=
 *   writtenUpTo`). The events come on another topic than the entity delete, so log order cannot tell them apart:
 *   without the bound, a delete indexed late or redelivered would also remove the events of an entity created
 *   again since. (A timeseries DELETE shares its events' partition, so log order is enough there.)
 */
export type TimeseriesDeletion =
  { entityType: string; urn: string; aspect: string; range: TimeRange } | { entityType: string; urn: string; aspect?: undefined; writtenUpTo: number };

/** At most this many deletions in one delete_by_query (a `should` clause each, well below max_clause_count). */
export const DELETIONS_PER_REQUEST = 200;

interface Bucket<T> {
  key: string;
  sub?: { buckets: T[] };
}

/** Timeseries aspects: one document per event in the aspect's own index, carrying its write's trace id. */
@Injectable()
export class TimeseriesRepository {
  constructor(
    private readonly search: SearchClient,
    private readonly registry: EntityRegistry,
  ) {}

  /**
   * Whole-document writes under the event's id (urn, timestampMillis, partition, messageId): a
   * redelivery rewrites the same document, and restating an event replaces it, as in DataHub.
   */
  indexOperations(changes: AspectChange[]): BulkOperation[] {
    return changes.flatMap((change) => {
      const event = change.value;
      if (event === null) return [];
      const timestampMillis = Number(event.timestampMillis);
      const partition = partitionOf(event.partitionSpec);
      const messageId = typeof event.messageId === 'string' ? event.messageId : undefined;
      const sm = change.systemMetadata;
      const traceId = sm.properties?.[SystemMetadataKeys.telemetryTraceId];
      return {
        action: { index: { _index: this.indexOf(change.entityType, change.aspect), _id: timeseriesDocId(change.urn, timestampMillis, partition, messageId) } },
        document: {
          urn: change.urn,
          timestampMillis,
          ...(partition !== undefined ? { partitionSpec: partition } : {}),
          ...(messageId !== undefined ? { messageId } : {}),
          runId: sm.runId ?? DEFAULT_RUN_ID,
          ...(traceId ? { telemetryTraceId: traceId } : {}),
          lastUpdated: sm.lastObserved,
          event,
        },
        label: `timeseries ${change.urn} ${change.aspect} @${timestampMillis}`,
        changes: [change],
      };
    });
  }

  /**
   * Which of these (urn, aspect) pairs have a document written by `traceId`, as aspectKey()s, in one
   * search over the aspects' indices. Search sees a document only after a refresh (about 1 s after
   * the write); the MAE consumer writes timeseries batches with refresh=wait_for, so an event it has
   * committed is already visible here. Missing indices count as empty; pairs that are not timeseries
   * aspects are ignored.
   */
  async findByTrace(traceId: string, items: TimeseriesRef[]): Promise<Set<string>> {
    const wanted = new Set<string>();
    const aspectByIndex = new Map<string, string>();
    const urns = new Set<string>();
    for (const item of items) {
      const spec = this.registry.findAspect(item.entityType, item.aspect);
      if (!spec?.indexName) continue;
      aspectByIndex.set(this.search.index(spec.indexName), item.aspect);
      urns.add(item.urn);
      wanted.add(aspectKey(item.urn, item.aspect));
    }
    const found = new Set<string>();
    if (aspectByIndex.size === 0) return found;
    const res = await this.search.client.search({
      index: [...aspectByIndex.keys()],
      ignore_unavailable: true,
      allow_no_indices: true,
      body: {
        size: 0,
        query: { bool: { filter: [{ term: { telemetryTraceId: traceId } }, { terms: { urn: [...urns] } }] } },
        // The client's generated types leave `field` out of terms aggregations, hence the assertion.
        aggs: {
          sub: {
            terms: { field: '_index', size: aspectByIndex.size },
            aggs: { sub: { terms: { field: 'urn', size: urns.size } } },
          },
        } as API.Search_RequestBody['aggs'],
      },
    });
    // No aggregations at all when none of the indices exist yet.
    const aggs = res.body.aggregations as { sub?: { buckets: Bucket<Bucket<never>>[] } } | undefined;
    for (const indexBucket of aggs?.sub?.buckets ?? []) {
      const aspect = aspectByIndex.get(indexBucket.key);
      if (aspect === undefined) continue;
      for (const urnBucket of indexBucket.sub?.buckets ?? []) {
        const key = aspectKey(urnBucket.key, aspect);
        if (wanted.has(key)) found.add(key);
      }
    }
    return found;
  }

  /**
   * Deletes timeseries events, in as few requests as it can: one delete_by_query per set of target indices (up to
   * DELETIONS_PER_REQUEST deletions each, as `should` clauses), so a batch of many entity deletes costs one request
   * per entity type rather than one each. Deletions only remove, so their order does not matter. Answers how many
   * events were deleted. Idempotent: a redelivery finds nothing left to delete; a missing index has nothing.
   */
  async deleteEvents(deletions: TimeseriesDeletion[]): Promise<number> {
    const groups = new Map<string, { indices: string[]; clauses: Record<string, unknown>[] }>();
    for (const deletion of deletions) {
      const indices = this.deletionIndices(deletion);
      if (indices.length === 0) continue;
      const key = indices.join(',');
      const group = groups.get(key) ?? { indices, clauses: [] };
      group.clauses.push({ bool: { filter: deletionFilter(deletion) } });
      groups.set(key, group);
    }
    let deleted = 0;
    for (const { indices, clauses } of groups.values()) {
      for (let i = 0; i < clauses.length; i += DELETIONS_PER_REQUEST) {
        const chunk = clauses.slice(i, i + DELETIONS_PER_REQUEST);
        deleted += await this.deleteByQuery(indices, chunk.length === 1 ? chunk[0] : { bool: { should: chunk, minimum_should_match: 1 } });
      }
    }
    return deleted;
  }

  /** How many events `deletion` would remove now (the SDK's hard delete answers it); a missing index has none. */
  async countEvents(deletion: TimeseriesDeletion): Promise<number> {
    const indices = this.deletionIndices(deletion);
    if (indices.length === 0) return 0;
    const res = await this.search.client.count({
      index: indices.join(','),
      ignore_unavailable: true,
      allow_no_indices: true,
      body: { query: { bool: { filter: deletionFilter(deletion) } } },
    });
    return Number(res.body.count ?? 0);
  }

  /** A timeseries DELETE: its aspect's index; an entity delete: every timeseries index of its entity type. */
  private deletionIndices(deletion: TimeseriesDeletion): string[] {
    if (deletion.aspect !== undefined) return [this.indexOf(deletion.entityType, deletion.aspect)];
    return this.registry.entity(deletion.entityType).aspects.flatMap((aspect) => (aspect.indexName ? [this.search.index(aspect.indexName)] : []));
  }

  /**
   * One delete_by_query. `conflicts: proceed`: an event rewritten while the query ran (two consumers briefly
   * sharing a partition) is not a failure; `refresh`: once this returns, search no longer sees the events, as it
   * sees a committed upsert's. Any other failure throws, so the batch is not committed and is redelivered.
   */
  private async deleteByQuery(indices: string[], query: Record<string, unknown>): Promise<number> {
    const res = await this.search.client.deleteByQuery({
      index: indices,
      ignore_unavailable: true,
      allow_no_indices: true,
      conflicts: 'proceed',
      refresh: true,
      body: { query },
    });
    // The body is a union with the wait_for_completion=false answer ({task}); we always wait.
    const body = res.body as { deleted?: number; failures?: { cause?: { type?: string; reason?: string } }[] };
    const failures = body.failures ?? [];
    if (failures.length > 0) {
      const cause = failures[0].cause;
      throw new Error(`delete_by_query on ${indices.join(',')} failed for ${failures.length} documents (e.g. ${cause?.type}: ${cause?.reason})`);
    }
    return Number(body.deleted ?? 0);
  }

  private indexOf(entityType: string, aspect: string): string {
    const indexName = this.registry.aspect(entityType, aspect).indexName;
    if (!indexName) throw new Error(`aspect "${aspect}" of "${entityType}" is not a timeseries aspect`);
    return this.search.index(indexName);
  }
}

/** The mapping keeps the partition as one keyword: DataHub's partitionSpec.partition (or a bare string). */
function partitionOf(spec: unknown): string | undefined {
  if (typeof spec === 'string') return spec;
  if (spec && typeof spec === 'object' && typeof (spec as { partition?: unknown }).partition === 'string') {
    return (spec as { partition: string }).partition;
  }
  return undefined;
}

function deletionFilter(deletion: TimeseriesDeletion): Record<string, unknown>[] {
  const urn = { term: { urn: deletion.urn } };
  if (deletion.aspect === undefined) return [urn, { range: { lastUpdated: { lte: deletion.writtenUpTo } } }];
  const { startTimeMillis: gte, endTimeMillis: lte } = deletion.range;
  if (gte === undefined && lte === undefined) return [urn];
  return [urn, { range: { timestampMillis: { ...(gte !== undefined ? { gte } : {}), ...(lte !== undefined ? { lte } : {}), format: 'epoch_millis' } } }];
}
