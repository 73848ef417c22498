import { NestExpressApplication } from '@nestjs/platform-express';
import { Settings } from '@lib/config';
import { HttpTracingMiddleware } from '@lib/telemetry';
import { httpMetricsMiddleware, Metrics } from '@lib/metrics';
import { setupSwagger } from '../swagger';
import { traceLinkMiddleware } from '../trace-page/trace-page.controller';

/**
 * Request metrics first (so a 404 or a 413 is timed too), then tracing (so even a 404 or a 413 carries
 * traceparent; a write's answer also links its trace page), then JSON bodies (and JSON Patch bodies) up to the limit, then Swagger.
 */
export function configureHttp(app: NestExpressApplication, settings: Settings): void {
  app.use(httpMetricsMiddleware(app.get(Metrics)));
  const tracing = new HttpTracingMiddleware();
  app.use(tracing.use.bind(tracing));
  app.use(traceLinkMiddleware);
  // JSON Patch documents (application/json-patch+json) are JSON too.
  app.useBodyParser('json', { limit: settings.limits.maxRequestBytes, type: ['application/json', 'application/json-patch+json'] });
  setupSwagger(app);
}
