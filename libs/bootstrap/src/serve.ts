import cluster from 'cluster';
import { DynamicModule, Logger, Type } from '@nestjs/common';
import type { Server } from 'http';
import type { Duplex } from 'stream';
import { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import { exitOnSignals, HttpDrain } from '@lib/common';
import { joinClusterMetrics } from '@lib/metrics';
import { AppLogger, initTracing, shutdownTracing } from '@lib/telemetry';
import { Env, loadSettingsOrExit, logLevels, Settings } from '@lib/config';
import { SearchClient, SpanIndex } from '@lib/search';

export interface ServeOptions {
  /** Builds the root module from the validated settings. */
  module: (settings: Settings) => Type<unknown> | DynamicModule;
  port: (settings: Settings) => number;
  /** Anything to add before listening (body parsing, middleware, Swagger). */
  configure?: (app: NestExpressApplication, settings: Settings) => void;
  /** Further start-up checks of the configuration (throw ConfigError). */
  check?: (env: Env) => void;
  /** Paths worth printing once listening, relative to the base URL. */
  links?: Record<string, string>;
}

/**
 * How each of the three apps starts: validate the configuration (one line and exit 78 when bad),
 * build the app, stop gracefully on SIGTERM/SIGINT, listen, and say where. As a worker of `runClustered`,
 * the same, plus: the metrics are aggregated across workers, and each response names the worker's pid.
 */
export function serve(name: string, opts: ServeOptions): void {
  const logger = new Logger(name);
  const run = async () => {
    // Answer the primary's metric collection from the start, so a worker still starting never stalls a scrape.
    if (cluster.isWorker) joinClusterMetrics();
    const settings = loadSettingsOrExit(process.env, opts.check);
    const traceLog = new Logger('TraceContext');
    initTracing({
      serviceName: name,
      log: (line) => traceLog.log(line),
      // The spans of traced and sampled writes go to OpenSearch, through a client of their own (not Nest's, which
      // starts later and closes before the last spans are flushed).
      spanStore: {
        sink: new SpanIndex(new SearchClient(settings), settings.spans.retentionDays, settings.search.replicas),
        sampleRatio: settings.spans.sampleRatio,
        queueMax: settings.spans.queueMax,
      },
    });
    // Body parsing is left to `configure`, which knows the size limit.
    const app = await NestFactory.create<NestExpressApplication>(opts.module(settings), {
      logger: new AppLogger(settings.logFormat, logLevels(settings.logLevel)),
      bodyParser: false,
    });
    // Nest destroys modules (SQL pool, Kafka producer) before it closes the HTTP server, which would fail
    // the requests in flight: stop accepting and let those finish first, then close the app.
    const http = new HttpDrain(app.getHttpServer() as Server);
    exitOnSignals(
      {
        close: () =>
          http
            .drain(settings.http.shutdownAcceptMs)
            .then(() => app.close())
            .finally(shutdownTracing),
      },
      (msg) => logger.log(msg),
    );
    if (cluster.isWorker) app.use(servedBy(String(process.pid)));
    opts.configure?.(app, settings);
    const port = opts.port(settings);
    await app.listen(port, settings.http.host);
    answerClientErrorsWithJson(app.getHttpServer());
    const base = `http://${settings.http.host}:${(app.getHttpServer().address() as { port: number }).port}`;
    const links = Object.entries({ health: 'health', ...opts.links }).map(([k, p]) => `${k} ${base}/${p}`);
    logger.log(`listening on ${base} (${links.join(', ')})`);
  };
  run().catch((err) => {
    logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  });
}

/** The response header naming the worker (its pid, as in its log lines) that answered, when the service runs as several. */
export const SERVED_BY_HEADER = 'X-Served-By';

function servedBy(pid: string) {
  return (_req: unknown, res: { setHeader(name: string, value: string): unknown }, next: () => void): void => {
    res.setHeader(SERVED_BY_HEADER, pid);
    next();
  };
}

/**
 * Requests Node rejects before they reach the app (a header too large: 431, a malformed request line:
 * 400) would otherwise get an empty body; every error we send is JSON with a message.
 */
function answerClientErrorsWithJson(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return socket.destroy();
    const [status, message] =
      err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'request headers are too large'] : [400, `malformed HTTP request (${err.code ?? 'parse error'})`];
    const body = JSON.stringify({ statusCode: status, message, error: status === 431 ? 'Request Header Fields Too Large' : 'Bad Request' });
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
