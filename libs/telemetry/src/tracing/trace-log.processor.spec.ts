import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { TimePrefixedIdGenerator } from '../ids';
import { TraceLogProcessor } from './trace-log.processor';
import { withTraceLog } from './trace-log-flag';

function setup(limits = {}) {
  const lines: string[] = [];
  const provider = new BasicTracerProvider({
    idGenerator: new TimePrefixedIdGenerator(),
    spanLimits: { attributeCountLimit: 128, eventCountLimit: 128, ...limits },
    spanProcessors: [new TraceLogProcessor((l) => lines.push(l))],
  });
  return { lines, tracer: provider.getTracer('test') };
}

describe('TraceLogProcessor', () => {
  it('logs every span of a flagged request, with parent ids linking them', () => {
    const { lines, tracer } = setup();
    const root = tracer.startSpan('POST /x', {}, withTraceLog(ROOT_CONTEXT, true));
    const child = tracer.startSpan('produce', { attributes: { 'messaging.system': 'kafka' } }, trace.setSpan(withTraceLog(ROOT_CONTEXT, true), root));
    child.end();
    root.end();
    const { traceId, spanId } = root.spanContext();
    expect(lines[0]).toMatch(
      new RegExp(`^Trace: ${traceId}, SpanId: ${child.spanContext().spanId}, ParentId: ${spanId}, Name: produce, Duration: \\d+\\.\\d{2} ms$`),
    );
    expect(lines[1]).toBe(`Trace: ${traceId}, Attributes: {"messaging.system":"kafka"}`);
    expect(lines[2]).toMatch(new RegExp(`^Trace: ${traceId}, SpanId: ${spanId}, ParentId: 0000000000000000, Name: POST /x`));
  });

  it('logs nothing for a request that did not ask', () => {
    const { lines, tracer } = setup();
    tracer.startSpan('quiet', {}, ROOT_CONTEXT).end();
    context.with(withTraceLog(ROOT_CONTEXT, false), () => tracer.startSpan('also quiet').end());
    expect(lines).toEqual([]);
  });

  it('escapes user input so a line cannot be broken or forged', () => {
    const { lines, tracer } = setup();
    const span = tracer.startSpan('write\nTrace: forged', { attributes: { urn: 'urn:li:tag:a\r\nTrace: 0, SpanId: x' } }, withTraceLog(ROOT_CONTEXT, true));
    span.end();
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toMatch(/[\r\n]/);
    expect(lines[1]).toContain('\\r\\nTrace: 0');
  });

  it('keeps at most 128 attributes and 128 events per span', () => {
    const { lines, tracer } = setup();
    const span = tracer.startSpan('big', {}, withTraceLog(ROOT_CONTEXT, true));
    for (let i = 0; i < 200; i++) span.setAttribute(`a${i}`, i);
    for (let i = 0; i < 200; i++) span.addEvent(`e${i}`);
    span.end();
    const attributes = JSON.parse(lines[1].replace(/^Trace: \w+, Attributes: /, ''));
    expect(Object.keys(attributes)).toHaveLength(128);
    expect(lines.filter((l) => l.includes(', Event: '))).toHaveLength(128);
  });
});
