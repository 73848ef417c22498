/**
 * What the store readers hand to the decisions. All times are epoch milliseconds.
 * Readers fill these from one SQL query and one OpenSearch request for the whole trace body.
 */

/** The latest SQL row of an aspect: `metadata_aspect_v2` at version 0. */
export interface SqlAspectRow {
  urn: string;
  aspect: string;
  /** `createdon` (datetime(6)) as epoch ms, truncated: when this version was written. */
  createdOn: number;
  /** Parsed `systemmetadata` JSON; only the fields the rules read. */
  systemMetadata: {
    /** Last write of this value, including no-op rewrites of an unchanged value. */
    lastObserved?: number;
    /** Includes `telemetryTraceId` and `isNoOp` ("true" when the last write changed nothing). */
    properties?: Record<string, string>;
  };
}

/** The `system_metadata_service_v1` document of (urn, aspect), read with get/mget (real-time). */
export interface SearchSystemDoc {
  urn: string;
  aspect: string;
  /** The indexed write's lastObserved. */
  lastUpdated?: number;
  /** Trace id of the write the MAE consumer last indexed. */
  telemetryTraceId?: string;
}

/** The timeseries index, for a timeseries aspect. */
export interface TimeseriesDoc {
  /** True when a document of (urn, aspect) carrying our trace id is indexed. */
  found: boolean;
}

export function rowTraceId(row: SqlAspectRow): string | undefined {
  return row.systemMetadata.properties?.telemetryTraceId;
}

export function rowIsNoOp(row: SqlAspectRow): boolean {
  return row.systemMetadata.properties?.isNoOp === 'true';
}
