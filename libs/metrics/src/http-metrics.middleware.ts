import type { NextFunction, Request, Response } from 'express';
import { Metrics, UNMATCHED_ROUTE } from './metrics';

/** The route pattern Nest registered for the handler that served `req` (e.g. `/openapi/v3/entity/:entityName`), never the raw URL. */
export function routePattern(req: Request): string {
  const path: unknown = req.route?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : UNMATCHED_ROUTE;
}

/**
 * Express middleware timing every request into `http_request_duration_seconds`, labelled by the
 * Nest route pattern once the response is sent. Registered before anything else, it also sees what
 * a guard (401/403), the body parser (413) or the router (404) answered. A client that hangs up
 * before the response is complete is recorded with status 499.
 */
export function httpMetricsMiddleware(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.observeHttp(req.method, routePattern(req), res.writableFinished ? res.statusCode : 499, seconds);
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}
