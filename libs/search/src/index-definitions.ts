/** An index the write path needs, with its explicit mapping. Names are before the configured prefix. */
export interface IndexDefinition {
  name: string;
  mappings: Record<string, unknown>;
}

export const SYSTEM_METADATA_INDEX = 'system_metadata_service_v1';

/** One document per (urn, aspect): the search-side proof that a write was indexed, and by which trace. */
export const systemMetadataIndex: IndexDefinition = {
  name: SYSTEM_METADATA_INDEX,
  mappings: {
    dynamic: 'strict',
    properties: {
      urn: { type: 'keyword' },
      aspect: { type: 'keyword' },
      runId: { type: 'keyword' },
      lastUpdated: { type: 'long' },
      removed: { type: 'boolean' },
      telemetryTraceId: { type: 'keyword' },
      registryName: { type: 'keyword' },
      registryVersion: { type: 'keyword' },
      // Set when OpenSearch refused the write's entity document (400): the write is not searchable, and the
      // trace says so (search ERROR) instead of taking this document for proof. Kept, not indexed.
      refusal: { type: 'object', enabled: false },
    },
  },
};

/**
 * The entity document: the latest value of each aspect kept whole under `aspects` (stored, not
 * indexed, so arbitrary aspect shapes never explode the mapping), plus a few searchable fields.
 */
export function entityIndex(name: string): IndexDefinition {
  return {
    name,
    mappings: {
      dynamic: false,
      properties: {
        urn: { type: 'keyword' },
        entityType: { type: 'keyword' },
        removed: { type: 'boolean' },
        name: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
        description: { type: 'text' },
        tags: { type: 'keyword' },
        glossaryTerms: { type: 'keyword' },
        owners: { type: 'keyword' },
        lastUpdated: { type: 'long' },
        aspects: { type: 'object', enabled: false },
      },
    },
  };
}

/** A timeseries aspect's events, each carrying the trace id of the write that produced it. */
export function timeseriesIndex(name: string): IndexDefinition {
  return {
    name,
    mappings: {
      dynamic: false,
      properties: {
        urn: { type: 'keyword' },
        timestampMillis: { type: 'date', format: 'epoch_millis' },
        partitionSpec: { type: 'keyword' },
        messageId: { type: 'keyword' },
        runId: { type: 'keyword' },
        telemetryTraceId: { type: 'keyword' },
        lastUpdated: { type: 'long' },
        event: { type: 'object', enabled: false },
      },
    },
  };
}
