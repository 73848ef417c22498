import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AppLogger } from './app-logger';

describe('AppLogger', () => {
  const manager = new AsyncLocalStorageContextManager().enable();
  beforeAll(() => context.setGlobalContextManager(manager));
  afterAll(() => context.disable());

  function capture(format: 'json' | 'text', work: (logger: AppLogger) => void): string {
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      work(new AppLogger(format, ['log']));
    } finally {
      spy.mockRestore();
    }
    return out.join('');
  }

  it('puts the active trace id on JSON lines', () => {
    const span = new BasicTracerProvider().getTracer('t').startSpan('s');
    const line = capture('json', (logger) => context.with(trace.setSpan(ROOT_CONTEXT, span), () => logger.log('hello', 'Ctx')));
    const parsed = JSON.parse(line);
    expect(parsed).toMatchObject({ message: 'hello', context: 'Ctx', traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
  });

  it('writes readable text with the trace id, and no trace id outside a span', () => {
    const span = new BasicTracerProvider().getTracer('t').startSpan('s');
    const inside = capture('text', (logger) => context.with(trace.setSpan(ROOT_CONTEXT, span), () => logger.log('hello', 'Ctx')));
    expect(inside).toContain(`[trace ${span.spanContext().traceId}] hello`);
    const outside = capture('text', (logger) => logger.log('plain', 'Ctx'));
    expect(outside).not.toContain('[trace ');
  });
});
