import { context, propagation, trace, Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { randomUUID } from 'crypto';
import { TimePrefixedIdGenerator } from '../ids';
import { LogLine, TraceLogProcessor } from './trace-log.processor';
import { SpanSink, SpanStoreOptions, SpanStoreProcessor } from './span-store.processor';

export const TRACER_NAME = 'metadata-write-tracing';

let provider: BasicTracerProvider | undefined;

export interface TracingOptions {
  serviceName: string;
  /** Where trace-log lines go (the app's logger). */
  log: LogLine;
  /** The process environment, for the standard OTEL_EXPORTER_OTLP_* variables. */
  env?: NodeJS.ProcessEnv;
  /** Where the spans of traced and sampled writes are stored (the OpenSearch span index), and how. */
  spanStore?: { sink: SpanSink } & SpanStoreOptions;
}

/**
 * Registers the process-wide OpenTelemetry pieces once, before Nest starts: time-prefixed ids
 * (so a trace id tells when the request began), W3C propagation, async context, the trace log, the span
 * store (spans of traced and sampled writes, in OpenSearch), and - only when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set - OTLP export; nothing
 * needs a collector otherwise. Span limits: at most 128 attributes and 128 events per span.
 */
export function initTracing(opts: TracingOptions): void {
  if (provider) return;
  const env = opts.env ?? process.env;
  const processors: SpanProcessor[] = [new TraceLogProcessor(opts.log)];
  if (opts.spanStore) processors.push(new SpanStoreProcessor(opts.spanStore.sink, opts.spanStore));
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    // The exporter reads the endpoint, headers and timeout from the standard variables itself.
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  provider = new BasicTracerProvider({
    // service.instance.id: one per process, so two workers or replicas of a service are told apart on a timeline.
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME || opts.serviceName, 'service.instance.id': randomUUID() }),
    idGenerator: new TimePrefixedIdGenerator(),
    spanLimits: { attributeCountLimit: 128, eventCountLimit: 128, linkCountLimit: 128, attributeValueLengthLimit: 4096 },
    spanProcessors: processors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
}

export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** Flushes and stops span processors (exporters) on shutdown. */
export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown().catch(() => undefined);
}
