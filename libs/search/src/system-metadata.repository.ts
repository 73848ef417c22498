import { Injectable } from '@nestjs/common';
import { DEFAULT_RUN_ID, SystemMetadataKeys } from '@lib/metadata';
import { AspectChange, AspectRef, aspectKey } from './aspect-change';
import { BulkOperation } from './bulk-writer';
import { systemMetadataDocId } from './doc-ids';
import { SYSTEM_METADATA_INDEX } from './index-definitions';
import { SearchClient } from './search.client';

/** A system_metadata_service_v1 document: which run and which trace last wrote (urn, aspect). */
export interface SystemMetadataDocument {
  urn: string;
  aspect: string;
  runId: string;
  /** The write's systemMetadata.lastObserved (epoch ms). */
  lastUpdated: number;
  removed: boolean;
  telemetryTraceId?: string;
  registryName?: string;
  registryVersion?: string;
  /** OpenSearch refused this write's entity document: why (see refusalOperations). */
  refusal?: SearchRefusal;
}

/** Why OpenSearch refused a write's entity document (a 400: a value the mapping cannot take). */
export interface SearchRefusal {
  message: string;
  exceptionClass: string;
}

interface MgetItem {
  _id: string;
  found?: boolean;
  _source?: Record<string, unknown>;
  error?: { type?: string; reason?: string };
}

/** One document per (urn, aspect) under a deterministic id: the search side's proof of a write. */
@Injectable()
export class SystemMetadataRepository {
  constructor(private readonly search: SearchClient) {}

  /**
   * Whole-document writes (the latest write's fields replace the previous ones, so a trace id never
   * outlives the write that carried it). External versioning on lastObserved makes an older change
   * log arriving late (a zombie producer, a replay) a no-op instead of hiding the newer trace id; a
   * redelivery of the same log has the same version and is accepted again (external_gte).
   */
  upsertOperations(changes: AspectChange[]): BulkOperation[] {
    return this.operations(changes);
  }

  /**
   * The same documents, recording that OpenSearch refused the writes' entity documents: sent after the bulk
   * request that refused them, under the same external version, so the document the first request wrote is
   * replaced while a newer write's is left alone (a conflict that means stale).
   */
  refusalOperations(changes: AspectChange[], refusal: SearchRefusal): BulkOperation[] {
    return this.operations(changes, refusal);
  }

  private operations(changes: AspectChange[], refusal?: SearchRefusal): BulkOperation[] {
    const index = this.search.index(SYSTEM_METADATA_INDEX);
    return changes.map((change) => ({
      action: {
        index: {
          _index: index,
          _id: systemMetadataDocId(change.urn, change.aspect),
          version: change.systemMetadata.lastObserved,
          version_type: 'external_gte',
        },
      },
      document: { ...toDocument(change), ...(refusal ? { refusal } : {}) },
      label: `system metadata ${change.urn} ${change.aspect}${refusal ? ' (entity document refused)' : ''}`,
      changes: [change],
      conflictMeansStale: true,
    }));
  }

  /**
   * The documents of these pairs, keyed by aspectKey(urn, aspect), in one real-time mget: a document is
   * readable as soon as the MAE consumer wrote it, with no refresh. Pairs without a document (or with
   * no index yet) are absent from the map.
   */
  async getMany(pairs: AspectRef[]): Promise<Map<string, SystemMetadataDocument>> {
    const byId = new Map(pairs.map((p) => [systemMetadataDocId(p.urn, p.aspect), p]));
    const found = new Map<string, SystemMetadataDocument>();
    if (byId.size === 0) return found;
    let docs: MgetItem[];
    try {
      const res = await this.search.client.mget({ index: this.search.index(SYSTEM_METADATA_INDEX), realtime: true, body: { ids: [...byId.keys()] } });
      docs = (res.body.docs ?? []) as MgetItem[];
    } catch (err) {
      if (isIndexNotFound(err)) return found;
      throw err;
    }
    for (const doc of docs) {
      if (doc.error) {
        // A cluster without the index yet has no documents: that is an answer, not a failure.
        if (doc.error.type === 'index_not_found_exception') continue;
        throw new Error(`system metadata ${doc._id}: ${doc.error.type}: ${doc.error.reason}`);
      }
      const pair = byId.get(doc._id);
      if (!doc.found || !doc._source || !pair) continue;
      found.set(aspectKey(pair.urn, pair.aspect), fromSource(doc._source, pair));
    }
    return found;
  }
}

/** OpenSearch 2.x reports a missing index per document; other versions answer the whole request with 404. */
function isIndexNotFound(err: unknown): boolean {
  const e = err as { meta?: { statusCode?: number; body?: { error?: { type?: string } } } };
  return e?.meta?.statusCode === 404 && e.meta.body?.error?.type === 'index_not_found_exception';
}

function toDocument(change: AspectChange): Record<string, unknown> {
  const sm = change.systemMetadata;
  const traceId = sm.properties?.[SystemMetadataKeys.telemetryTraceId];
  return {
    urn: change.urn,
    aspect: change.aspect,
    runId: sm.runId ?? DEFAULT_RUN_ID,
    lastUpdated: sm.lastObserved,
    // A delete's document records it under the delete's trace id; an upsert makes the aspect live again.
    removed: change.value === null,
    ...(traceId ? { telemetryTraceId: traceId } : {}),
    ...(sm.registryName ? { registryName: sm.registryName } : {}),
    ...(sm.registryVersion ? { registryVersion: sm.registryVersion } : {}),
  };
}

function fromSource(source: Record<string, unknown>, pair: AspectRef): SystemMetadataDocument {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const doc: SystemMetadataDocument = {
    urn: text(source.urn) ?? pair.urn,
    aspect: text(source.aspect) ?? pair.aspect,
    runId: text(source.runId) ?? DEFAULT_RUN_ID,
    lastUpdated: Number(source.lastUpdated ?? 0),
    removed: source.removed === true,
  };
  const optional = { telemetryTraceId: text(source.telemetryTraceId), registryName: text(source.registryName), registryVersion: text(source.registryVersion) };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(doc, { [key]: value });
  const refusal = source.refusal as Partial<SearchRefusal> | undefined;
  if (typeof refusal?.message === 'string') doc.refusal = { message: refusal.message, exceptionClass: text(refusal.exceptionClass) ?? 'SearchDocumentRefused' };
  return doc;
}
