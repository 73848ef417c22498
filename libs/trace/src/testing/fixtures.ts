import { TimePrefixedIdGenerator } from '@lib/telemetry';
import { SearchSystemDoc, SqlAspectRow } from '../decisions/inputs';
import { TraceItem } from '../trace-item';

/** Builders shared by the libs/trace specs (Kafka-specific ones are in kafka/testing). */

/** The contract's example time: trace id `00062c53a468cbd8...` was minted at 2025-01-22T23:13:32.503Z. */
export const T = Date.parse('2025-01-22T23:13:32.503Z');

export const DATASET = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)';

/**
 * A trace id minted at `ms` (epoch ms) by the id generator production uses: the time in microseconds
 * as 16 hex, then 16 "random" hex (fixed here, or `random`).
 */
export function traceIdAt(ms: number, random = '0123456789abcdef'): string {
  const bytes = Buffer.from(random, 'hex');
  return new TimePrefixedIdGenerator({ now: () => ms, randomBytes: (n) => bytes.subarray(0, n) }).generateTraceId();
}

/** The contract's example trace id, `00062c53a468cbd8077e7dd079846870`: minted at T. */
export const EXAMPLE_TRACE_ID = traceIdAt(T, '077e7dd079846870');

/** A trace id from another tracer (a continued gateway traceparent): decodes to no plausible time. */
export const FOREIGN_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** One (urn, aspect) of a trace request. */
export function traceItem(urn: string = DATASET, aspect = 'status', isTimeseries = false): TraceItem {
  return { urn, entityType: 'dataset', aspect, isTimeseries };
}

export interface SqlRowFields {
  urn?: string;
  aspect?: string;
  createdOn: number;
  lastObserved?: number;
  /** Becomes `properties.telemetryTraceId`; without it (and without `properties`) the row has no properties. */
  traceId?: string;
  properties?: Record<string, string>;
}

/** The latest SQL row (version 0) of an aspect. */
export function sqlRow({ urn = DATASET, aspect = 'status', createdOn, lastObserved, traceId, properties }: SqlRowFields): SqlAspectRow {
  const props = traceId === undefined ? properties : { telemetryTraceId: traceId, ...properties };
  return { urn, aspect, createdOn, systemMetadata: { lastObserved, properties: props } };
}

export interface SystemDocFields {
  urn?: string;
  aspect?: string;
  /** `telemetryTraceId`; undefined = removed from the document. */
  traceId?: string;
  lastUpdated?: number;
  /** The indexed write was a DELETE (set only when given). */
  removed?: boolean;
}

/** The `system_metadata_service_v1` document of an aspect. */
export function systemDoc({ urn = DATASET, aspect = 'status', traceId, lastUpdated, removed }: SystemDocFields = {}): SearchSystemDoc {
  return { urn, aspect, telemetryTraceId: traceId, lastUpdated, ...(removed !== undefined ? { removed } : {}) };
}
