import { context, propagation, trace, Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { TimePrefixedIdGenerator } from '../ids';

export const TRACER_NAME = 'metadata-write-tracing';

let provider: BasicTracerProvider | undefined;

/**
 * Registers the process-wide OpenTelemetry pieces once, before Nest starts: time-prefixed ids
 * (so a trace id tells when the request began), W3C propagation, and async context.
 * Span limits follow the span model we log: at most 128 attributes and 128 events per span.
 */
export function initTracing(spanProcessors: SpanProcessor[] = []): void {
  if (provider) return;
  provider = new BasicTracerProvider({
    idGenerator: new TimePrefixedIdGenerator(),
    spanLimits: { attributeCountLimit: 128, eventCountLimit: 128, linkCountLimit: 128, attributeValueLengthLimit: 4096 },
    spanProcessors,
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
