import { Context } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { traceLogEnabled } from './trace-log-flag';

const NO_PARENT = '0000000000000000';

export type LogLine = (line: string) => void;

/**
 * The trace log: for requests that asked for it (and every span they cause downstream), one line per
 * finished span with ids and timing, and one with its attributes (events and links likewise).
 * Spans of other requests are never logged. Values are JSON-encoded, so a URN or aspect name from user
 * input cannot break a line or forge one (newlines and control characters come out escaped).
 */
export class TraceLogProcessor implements SpanProcessor {
  private readonly flagged = new WeakSet<object>();

  constructor(private readonly log: LogLine) {}

  onStart(span: Span, parentContext: Context): void {
    if (traceLogEnabled(parentContext)) this.flagged.add(span);
  }

  onEnd(span: ReadableSpan): void {
    if (!this.flagged.has(span)) return;
    const { traceId, spanId } = span.spanContext();
    const parentId = span.parentSpanContext?.spanId ?? NO_PARENT;
    const ms = hrTimeToMilliseconds(span.duration).toFixed(2);
    this.log(`Trace: ${traceId}, SpanId: ${spanId}, ParentId: ${parentId}, Name: ${JSON.stringify(span.name).slice(1, -1)}, Duration: ${ms} ms`);
    this.log(`Trace: ${traceId}, Attributes: ${JSON.stringify(span.attributes)}`);
    for (const event of span.events) this.log(`Trace: ${traceId}, Event: ${JSON.stringify({ name: event.name, attributes: event.attributes ?? {} })}`);
    for (const link of span.links) this.log(`Trace: ${traceId}, Link: ${JSON.stringify({ traceId: link.context.traceId, spanId: link.context.spanId })}`);
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
