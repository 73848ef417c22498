import { context, propagation, Span, trace } from '@opentelemetry/api';
import { IHeaders } from 'kafkajs';
import { SystemMetadata, SystemMetadataKeys } from '@lib/metadata';
import { traceLogEnabled } from '@lib/telemetry';

/**
 * The telemetry a message carries out of a PRODUCER span: the trace id is set once (the original
 * request's) and never overwritten downstream; the queue span and enqueue time are rewritten at
 * every produce, so the next consumer parents on this produce and can measure time in the queue.
 */
export function stampTelemetry(sm: SystemMetadata, producerSpan: Span, now: number): SystemMetadata {
  const sc = producerSpan.spanContext();
  const props = { ...(sm.properties ?? {}) };
  props[SystemMetadataKeys.telemetryTraceId] ??= sc.traceId;
  props[SystemMetadataKeys.telemetryQueueSpanId] = sc.spanId;
  props[SystemMetadataKeys.telemetryEnqueuedAt] = String(now);
  props[SystemMetadataKeys.telemetryLog] = props[SystemMetadataKeys.telemetryLog] === 'true' || traceLogEnabled() ? 'true' : 'false';
  return { ...sm, properties: props };
}

/** The `traceparent` (and any other propagated fields) of the producer span, as Kafka headers. */
export function traceHeaders(producerSpan: Span): IHeaders {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), producerSpan), carrier);
  return carrier;
}
