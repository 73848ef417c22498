import { Context } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { traceLogEnabled } from './trace-log-flag';

/** An OTLP JSON value (`AnyValue`) and attribute (`KeyValue`), as OpenTelemetry's JSON encoding writes them. */
export type OtlpValue = { stringValue?: string; boolValue?: boolean; intValue?: number | string; doubleValue?: number; arrayValue?: { values: OtlpValue[] } };
export interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}

/** A span in OTLP JSON (`resourceSpans[].scopeSpans[].spans[]`): hex ids, times in nanoseconds as strings. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpKeyValue[];
  events?: { name: string; timeUnixNano: string; attributes?: OtlpKeyValue[] }[];
  links?: { traceId: string; spanId: string; attributes?: OtlpKeyValue[] }[];
  status?: { code?: number; message?: string };
  [field: string]: unknown;
}

/** One stored span: the OTLP span with the resource and scope it came with, and the fields searched on. */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  /** service.name of its resource. */
  service: string;
  /** Start, epoch ms: what the daily index and the ordering go by. */
  startTime: number;
  resource: { attributes: OtlpKeyValue[] };
  scope: { name: string; version?: string };
  span: OtlpSpan;
}

/** Where stored spans go (the OpenSearch span index). */
export interface SpanSink {
  write(spans: StoredSpan[]): Promise<void>;
}

export interface SpanStoreOptions {
  /** TRACE_SPAN_SAMPLE_RATIO: share of all traces kept, besides those that asked for the trace log. */
  sampleRatio: number;
  /** TRACE_SPAN_QUEUE_MAX: finished spans waiting at most; past it they are dropped. */
  queueMax: number;
  /** Spans per write (one bulk request). */
  batchSize?: number;
  /** Longest a finished span waits before its batch is written (ms). */
  flushMs?: number;
}

/** What the span store did, for the metrics (trace_spans_stored_total, trace_spans_dropped_total{reason}). */
export const spanStoreCounts = { stored: 0, dropped: { queue_full: 0, store_failed: 0 } };

/**
 * Keeps the spans of the traces that asked for the trace log (header or cookie, carried downstream) and of a
 * sampled share of all others, and writes them to the span index in batches. Never on a request's path: a
 * finished span is converted and queued, nothing more; the writes happen on a timer, one at a time. A full queue or
 * a failed write drops spans and counts them (spanStoreCounts) - it never slows or fails the work that made them.
 * The conversion is OpenTelemetry's own OTLP JSON serializer.
 */
export class SpanStoreProcessor implements SpanProcessor {
  private readonly kept = new WeakSet<object>();
  private queue: StoredSpan[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private readonly batchSize: number;
  private readonly flushMs: number;

  constructor(
    private readonly sink: SpanSink,
    private readonly options: SpanStoreOptions,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.flushMs = options.flushMs ?? 1000;
  }

  onStart(span: Span, parentContext: Context): void {
    if (traceLogEnabled(parentContext) || sampled(span.spanContext().traceId, this.options.sampleRatio)) this.kept.add(span);
  }

  onEnd(span: ReadableSpan): void {
    if (!this.kept.has(span)) return;
    if (this.queue.length >= this.options.queueMax) {
      spanStoreCounts.dropped.queue_full++;
      return;
    }
    this.queue.push(...storedSpans([span]));
    if (this.queue.length >= this.batchSize) this.flushSoon(0);
    else this.flushSoon(this.flushMs);
  }

  async forceFlush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.drain();
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }

  private flushSoon(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, ms);
    this.timer.unref?.();
  }

  /** Writes batch after batch until the queue is empty; one drain at a time (callers share the one running). */
  private drain(): Promise<void> {
    this.writing ??= (async () => {
      while (this.queue.length > 0) await this.writeBatch();
    })().finally(() => (this.writing = undefined));
    return this.writing;
  }

  private async writeBatch(): Promise<void> {
    const batch = this.queue.splice(0, this.batchSize);
    if (batch.length === 0) return;
    try {
      await this.sink.write(batch);
      spanStoreCounts.stored += batch.length;
    } catch {
      spanStoreCounts.dropped.store_failed += batch.length;
    }
  }
}

/** The ratio decision of a trace id, the same in every process: its last 8 hex digits as a fraction of 2^32. */
export function sampled(traceId: string, ratio: number): boolean {
  if (ratio <= 0) return false;
  if (ratio >= 1) return true;
  const tail = Number.parseInt(traceId.slice(-8), 16);
  return Number.isFinite(tail) && tail / 0x1_0000_0000 < ratio;
}

/** Finished spans as stored documents, through OpenTelemetry's OTLP JSON serializer (hex ids, nanosecond strings). */
export function storedSpans(spans: ReadableSpan[]): StoredSpan[] {
  const request = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans))) as OtlpRequest;
  return fromOtlp(request);
}

/** An OTLP JSON export request (`POST /v1/traces` body). */
export interface OtlpRequest {
  resourceSpans?: { resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: { scope?: { name?: string; version?: string }; spans?: OtlpSpan[] }[] }[];
}

/** The spans of an OTLP JSON request, each with its resource and scope, as stored. */
export function fromOtlp(request: OtlpRequest): StoredSpan[] {
  return (request.resourceSpans ?? []).flatMap((rs) => {
    const resource = { attributes: rs.resource?.attributes ?? [] };
    const service = String(resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? 'unknown');
    return (rs.scopeSpans ?? []).flatMap((ss) => {
      const scope = { name: ss.scope?.name ?? '', ...(ss.scope?.version ? { version: ss.scope.version } : {}) };
      return (ss.spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        service,
        startTime: Number(BigInt(span.startTimeUnixNano) / 1_000_000n),
        resource,
        scope,
        span,
      }));
    });
  });
}

/** Stored spans as one OTLP JSON request: grouped by resource (service and instance), then by scope. */
export function toOtlp(stored: StoredSpan[]): Required<Pick<OtlpRequest, 'resourceSpans'>> {
  const byResource = new Map<string, { resource: StoredSpan['resource']; scopes: Map<string, { scope: StoredSpan['scope']; spans: OtlpSpan[] }> }>();
  for (const s of stored) {
    const rKey = JSON.stringify(s.resource.attributes);
    const r = byResource.get(rKey) ?? { resource: s.resource, scopes: new Map() };
    byResource.set(rKey, r);
    const sKey = `${s.scope.name}\u0000${s.scope.version ?? ''}`;
    const scope = r.scopes.get(sKey) ?? { scope: s.scope, spans: [] };
    r.scopes.set(sKey, scope);
    scope.spans.push(s.span);
  }
  return {
    resourceSpans: [...byResource.values()].map((r) => ({
      resource: r.resource,
      scopeSpans: [...r.scopes.values()].map((s) => ({ scope: s.scope, spans: s.spans })),
    })),
  };
}
