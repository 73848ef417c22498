import { Injectable, NestMiddleware } from '@nestjs/common';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { formatTraceparent } from '../ids';
import { tracer } from './tracing';
import { traceLogRequested, withTraceLog } from './trace-log-flag';

/**
 * One SERVER span per HTTP request. An incoming W3C `traceparent` is continued (a malformed one
 * is ignored and a new trace starts); every response carries `traceparent` with our span, so the
 * client always learns the trace id of its write.
 */
@Injectable()
export class HttpTracingMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    // The trace-log flag goes into the context before the span starts, so the SERVER span is logged too.
    const parent = withTraceLog(propagation.extract(ROOT_CONTEXT, req.headers), traceLogRequested(req.headers));
    const path = req.originalUrl.split('?')[0];
    const span = tracer().startSpan(
      `${req.method} ${path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': path } },
      parent,
    );
    const sc = span.spanContext();
    res.setHeader('traceparent', formatTraceparent(sc.traceId, sc.spanId, (sc.traceFlags & 1) === 1));
    res.on('finish', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  }
}
