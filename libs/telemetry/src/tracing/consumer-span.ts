import { Context, propagation, ROOT_CONTEXT, Span, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { tracer } from './tracing';
import { withTraceLog } from './trace-log-flag';

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  /** Kafka headers (values as kafkajs gives them). */
  headers?: Record<string, unknown>;
  /** systemMetadata.properties of the message: telemetryTraceId, telemetryQueueSpanId, telemetryEnqueuedAt, telemetryLog. */
  properties: Record<string, string>;
}

/**
 * The CONSUMER span of one message, parented on the PRODUCER span that enqueued it (the `traceparent`
 * header, else `telemetryTraceId` + `telemetryQueueSpanId`), so one write is one trace from the HTTP
 * request to the index. `telemetryLog` carries the request's trace-log flag across the queue.
 */
export function startConsumerSpan(name: string, msg: ConsumedMessage, now = Date.now()): { span: Span; context: Context } {
  const carrier: Record<string, string> = {};
  for (const [k, v] of Object.entries(msg.headers ?? {})) if (v !== undefined && v !== null) carrier[k] = String(v);
  let parent = propagation.extract(ROOT_CONTEXT, carrier);
  const traceId = msg.properties.telemetryTraceId;
  const queueSpanId = msg.properties.telemetryQueueSpanId;
  if (!trace.getSpanContext(parent) && traceId && queueSpanId && /^[0-9a-f]{32}$/.test(traceId) && /^[0-9a-f]{16}$/.test(queueSpanId)) {
    parent = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: queueSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  }
  parent = withTraceLog(parent, msg.properties.telemetryLog === 'true');
  const enqueuedAt = Number(msg.properties.telemetryEnqueuedAt);
  const span = tracer().startSpan(
    name,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': msg.topic,
        'messaging.operation': 'receive',
        'messaging.destination.partition.id': String(msg.partition),
        'messaging.kafka.offset': Number(msg.offset),
        ...(Number.isFinite(enqueuedAt) && enqueuedAt > 0 ? { 'queue.enqueued_at': enqueuedAt, 'queue.duration_ms': Math.max(0, now - enqueuedAt) } : {}),
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}
