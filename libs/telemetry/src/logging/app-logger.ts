import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { trace } from '@opentelemetry/api';

export type LogFormat = 'text' | 'json';

/**
 * Nest's own console logger, with the trace id (and span id) of the request or message being handled
 * on every line: JSON objects in production (LOG_FORMAT=json), readable lines locally.
 */
export class AppLogger extends ConsoleLogger {
  constructor(format: LogFormat, logLevels: LogLevel[]) {
    super({ json: format === 'json', logLevels, colors: format === 'text' && Boolean(process.stdout.isTTY) });
  }

  protected override getJsonLogObject(
    message: unknown,
    options: { context: string; logLevel: LogLevel; writeStreamType?: 'stdout' | 'stderr'; errorStack?: unknown },
  ): ReturnType<ConsoleLogger['getJsonLogObject']> & { traceId?: string; spanId?: string } {
    const base = super.getJsonLogObject(message, options);
    const ids = activeIds();
    return ids ? { ...base, traceId: ids.traceId, spanId: ids.spanId } : base;
  }

  protected override formatMessage(
    logLevel: LogLevel,
    message: unknown,
    pidMessage: string,
    formattedLogLevel: string,
    contextMessage: string,
    timestampDiff: string,
  ): string {
    const ids = activeIds();
    return super.formatMessage(
      logLevel,
      message,
      pidMessage,
      formattedLogLevel,
      ids ? `${contextMessage}[trace ${ids.traceId}] ` : contextMessage,
      timestampDiff,
    );
  }
}

function activeIds(): { traceId: string; spanId: string } | undefined {
  const sc = trace.getActiveSpan()?.spanContext();
  return sc && sc.traceId !== '00000000000000000000000000000000' ? { traceId: sc.traceId, spanId: sc.spanId } : undefined;
}
