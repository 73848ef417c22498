import { context, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { fromOtlp, sampled, SpanSink, spanStoreCounts, SpanStoreProcessor, StoredSpan, toOtlp } from './span-store.processor';
import { withTraceLog } from './trace-log-flag';

class Sink implements SpanSink {
  written: StoredSpan[][] = [];
  fail = false;
  async write(spans: StoredSpan[]): Promise<void> {
    if (this.fail) throw new Error('OpenSearch down');
    this.written.push(spans);
  }
}

function setup(sampleRatio = 0, queueMax = 100, batchSize = 500) {
  const sink = new Sink();
  const processor = new SpanStoreProcessor(sink, { sampleRatio, queueMax, batchSize, flushMs: 10 });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'gms', 'service.instance.id': 'i-1' }),
    spanProcessors: [processor],
  });
  return { sink, processor, tracer: provider.getTracer('test') };
}

/** A parent span under the trace-log flag (or not) and a child of it, both ended. */
function tracedWrite(tracer: ReturnType<typeof setup>['tracer'], flagged: boolean, attributes: Record<string, string> = {}) {
  const parent = tracer.startSpan('http', { kind: SpanKind.SERVER }, withTraceLog(ROOT_CONTEXT, flagged));
  const child = tracer.startSpan('produce', { kind: SpanKind.PRODUCER, attributes }, trace.setSpan(withTraceLog(ROOT_CONTEXT, flagged), parent));
  child.addEvent('sent', { partition: 2 });
  child.end();
  parent.end();
  return { parent, child };
}

beforeAll(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
beforeEach(() => {
  spanStoreCounts.stored = 0;
  spanStoreCounts.dropped.queue_full = 0;
  spanStoreCounts.dropped.store_failed = 0;
});

describe('SpanStoreProcessor', () => {
  it('stores the spans of traces that asked for the trace log, as OTLP, and nothing of the others', async () => {
    const { sink, processor, tracer } = setup();
    const { parent, child } = tracedWrite(tracer, true, { 'entity.urn': 'urn:li:dataset:(x)' });
    tracedWrite(tracer, false);
    await processor.forceFlush();
    const stored = sink.written.flat();
    expect(stored.map((s) => s.span.name)).toEqual(['produce', 'http']);
    const produce = stored[0];
    expect(produce).toMatchObject({ traceId: parent.spanContext().traceId, spanId: child.spanContext().spanId, service: 'gms', scope: { name: 'test' } });
    expect(produce.span).toMatchObject({
      parentSpanId: parent.spanContext().spanId,
      kind: 4,
      attributes: [{ key: 'entity.urn', value: { stringValue: 'urn:li:dataset:(x)' } }],
    });
    expect(produce.span.events).toMatchObject([{ name: 'sent', attributes: [{ key: 'partition', value: { intValue: 2 } }] }]);
    expect(produce.resource.attributes).toEqual(expect.arrayContaining([{ key: 'service.instance.id', value: { stringValue: 'i-1' } }]));
    expect(produce.startTime).toBe(Math.floor(Number(BigInt(produce.span.startTimeUnixNano) / 1_000_000n)));
    expect(spanStoreCounts.stored).toBe(2);
  });

  it('stores a sampled share of all traces, by trace id', async () => {
    const { sink, processor, tracer } = setup(1);
    tracedWrite(tracer, false);
    await processor.forceFlush();
    expect(sink.written.flat()).toHaveLength(2);
  });

  it('drops and counts what does not fit the queue, and a batch the store refused; never throws to the caller', async () => {
    const { sink, processor, tracer } = setup(0, 3);
    for (let i = 0; i < 3; i++) tracedWrite(tracer, true); // 6 spans, room for 3
    expect(spanStoreCounts.dropped.queue_full).toBe(3);
    sink.fail = true;
    await processor.forceFlush();
    expect(spanStoreCounts.dropped.store_failed).toBe(3);
    expect(spanStoreCounts.stored).toBe(0);
  });

  it('writes in batches of batchSize, on its own timer', async () => {
    const { sink, tracer } = setup(0, 100, 4);
    for (let i = 0; i < 5; i++) tracedWrite(tracer, true); // 10 spans
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.written.map((b) => b.length)).toEqual([4, 4, 2]);
  });
});

describe('sampled', () => {
  it('keeps none at 0, all at 1, and decides by the last 8 hex digits in between', () => {
    expect(sampled('0'.repeat(32), 0)).toBe(false);
    expect(sampled('f'.repeat(32), 1)).toBe(true);
    expect(sampled(`${'a'.repeat(24)}3fffffff`, 0.25)).toBe(true);
    expect(sampled(`${'a'.repeat(24)}40000001`, 0.25)).toBe(false);
  });
});

describe('OTLP JSON both ways', () => {
  it('groups stored spans by resource and scope, and reads them back the same', () => {
    const span = (id: string) => ({
      traceId: 't'.repeat(32),
      spanId: id,
      name: id,
      kind: 1,
      startTimeUnixNano: '1796000000000000000',
      endTimeUnixNano: '1796000000001000000',
    });
    const request = {
      resourceSpans: ['gms', 'mce-consumer'].map((service) => ({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: 'metadata-write-tracing' }, spans: [span(`${service}-1`), span(`${service}-2`)] }],
      })),
    };
    const stored = fromOtlp(request);
    expect(stored.map((s) => [s.service, s.spanId, s.startTime])).toEqual([
      ['gms', 'gms-1', 1796000000000],
      ['gms', 'gms-2', 1796000000000],
      ['mce-consumer', 'mce-consumer-1', 1796000000000],
      ['mce-consumer', 'mce-consumer-2', 1796000000000],
    ]);
    expect(toOtlp(stored)).toEqual(request);
  });
});
