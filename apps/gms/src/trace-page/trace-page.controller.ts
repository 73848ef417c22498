import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { readFileSync } from 'fs';
import { join } from 'path';
import type { NextFunction, Request, Response } from 'express';
import { Public } from '@lib/common';

/**
 * Nothing but our own script and stylesheet, no inline code, no other origin, no framing: span attributes are
 * untrusted input, and the page puts every value in as text.
 */
export const TRACE_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const assets = (name: string): string => readFileSync(join(__dirname, 'assets', name), 'utf8');

/**
 * The trace page, `GET /trace/{traceId}`: a waterfall of the trace's stored spans and the states of the writes they
 * name (assets/trace.js). Public: the page holds no data; its script calls the API with the token the user enters.
 */
@ApiExcludeController()
@Public()
@Controller()
export class TracePageController {
  private readonly html = assets('trace.html');
  private readonly js = assets('trace.js');
  private readonly css = assets('trace.css');

  @Get('trace/:traceId')
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(@Param('traceId') _traceId: string, @Res({ passthrough: true }) res: Response): string {
    secure(res);
    return this.html;
  }

  @Get('trace-page/trace.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(@Res({ passthrough: true }) res: Response): string {
    secure(res);
    return this.js;
  }

  @Get('trace-page/trace.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  style(@Res({ passthrough: true }) res: Response): string {
    secure(res);
    return this.css;
  }
}

function secure(res: Response): void {
  res.setHeader('Content-Security-Policy', TRACE_PAGE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-cache');
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Whether the answers of this method and path link their trace page: the write routes (the OpenAPI document says so too). */
export function isTraceLinked(method: string, path: string): boolean {
  return WRITE_METHODS.has(method) && path.startsWith('/openapi/v3/entity');
}

/** Every write's answer links its trace page: `Link: </trace/{traceId}>; rel="trace"` (after the tracing middleware). */
export function traceLinkMiddleware(req: Request, res: Response, next: NextFunction): void {
  if (isTraceLinked(req.method, req.path)) {
    const traceId = String(res.getHeader('traceparent') ?? '').split('-')[1];
    if (traceId) res.setHeader('Link', `</trace/${traceId}>; rel="trace"`);
  }
  next();
}
