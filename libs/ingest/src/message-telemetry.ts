import { context, propagation, Span, trace } from '@opentelemetry/api';
import { IHeaders } from 'kafkajs';
import { OutgoingRecord } from '@lib/kafka';
import { MetadataChangeProposal, SystemMetadata, SystemMetadataKeys } from '@lib/metadata';
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

/**
 * The record of one aspect's message (a proposal or a change log), made under its PRODUCER span: keyed by URN,
 * carrying the span in its headers, the span naming the aspect (entity.urn, aspect.name: what the trace page reads),
 * and, with a trace id, `traced` so that KafkaPublisher remembers where it went for the trace endpoint.
 */
export function aspectRecord(
  topic: string,
  mcp: Pick<MetadataChangeProposal, 'entityUrn' | 'aspectName'>,
  message: unknown,
  systemMetadata: SystemMetadata | undefined,
  producerSpan: Span,
): OutgoingRecord {
  producerSpan.setAttributes({ 'entity.urn': mcp.entityUrn, 'aspect.name': mcp.aspectName });
  const traceId = systemMetadata?.properties?.[SystemMetadataKeys.telemetryTraceId];
  return {
    topic,
    key: mcp.entityUrn,
    value: JSON.stringify(message),
    headers: traceHeaders(producerSpan),
    ...(traceId ? { traced: { traceId, aspect: mcp.aspectName } } : {}),
  };
}
