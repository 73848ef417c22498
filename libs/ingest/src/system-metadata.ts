import { SystemMetadata, SystemMetadataKeys } from '@lib/metadata';

export function propertiesOf(sm: unknown): Record<string, string> {
  const p = sm && typeof sm === 'object' ? (sm as { properties?: unknown }).properties : undefined;
  return p && typeof p === 'object' ? (p as Record<string, string>) : {};
}

export function traceIdOf(sm: unknown): string | undefined {
  return propertiesOf(sm)[SystemMetadataKeys.telemetryTraceId];
}

/** The aspect version recorded in system metadata (DataHub keeps it as a string); undefined when absent. */
export function aspectVersionOf(sm: unknown): number | undefined {
  const v = sm && typeof sm === 'object' ? (sm as SystemMetadata).version : undefined;
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/** Properties without the markers that describe one particular write, for a new write to start from. */
export function withoutWriteMarkers(props: Record<string, string>): Record<string, string> {
  const { [SystemMetadataKeys.isNoOp]: _noop, ...rest } = props;
  return rest;
}
