import cluster, { Worker } from 'cluster';
import { aggregateWorkerMetrics } from '@lib/metrics';
import { AppLogger } from '@lib/telemetry';
import { loadSettingsOrExit, logLevels, Settings } from '@lib/config';
import { RestartBackoff } from './restart-backoff';
import { serve, ServeOptions } from './serve';

/** How long the primary waits, after SIGTERM, for every worker to drain and exit (each gives up itself after 25 s). */
const STOP_TIMEOUT_MS = 30000;

/**
 * The HTTP service on GMS_WORKERS processes sharing one port (Node's cluster module); with
 * GMS_WORKERS=1, one process exactly as `serve` runs it. The primary does no app work: it validates
 * the configuration (one line and exit 78 when bad), forks the workers, replaces one that dies (with
 * backoff), and on SIGTERM/SIGINT forwards the signal to every worker and exits once all have drained.
 * Each worker is a whole app, started by `serve`: its own Kafka producer, SQL pool, trace offset cache,
 * health endpoints, and (with RUN_CONSUMERS) its own member of the consumer groups.
 */
export function runClustered(name: string, opts: ServeOptions): void {
  if (cluster.isWorker) return serve(name, opts);
  const settings = loadSettingsOrExit(process.env, opts.check);
  if (settings.http.workers <= 1) return serve(name, opts);
  new ClusterPrimary(name, settings).start();
}

class ClusterPrimary {
  private readonly logger: AppLogger;
  private readonly backoff = new RestartBackoff();
  /** Live workers and when each was forked. */
  private readonly workers = new Map<Worker, number>();
  private readonly pendingForks = new Set<NodeJS.Timeout>();
  private serviceUp = false;
  private stopSignal?: NodeJS.Signals;
  private exitCode = 0;

  constructor(
    private readonly name: string,
    private readonly settings: Settings,
  ) {
    this.logger = new AppLogger(settings.logFormat, logLevels(settings.logLevel));
  }

  start(): void {
    aggregateWorkerMetrics();
    // Round robin (Node's default but on Windows): the primary accepts and hands connections out in turn.
    cluster.schedulingPolicy = cluster.SCHED_RR;
    cluster.on('listening', () => (this.serviceUp = true));
    cluster.on('exit', (worker, code, signal) => this.exited(worker, code, signal as NodeJS.Signals | null));
    process.on('SIGTERM', () => this.stop('SIGTERM'));
    process.on('SIGINT', () => this.stop('SIGINT'));
    this.log(`primary pid ${process.pid}: starting ${this.settings.http.workers} workers on port ${this.settings.http.port}`);
    for (let i = 0; i < this.settings.http.workers; i++) this.fork();
  }

  private fork(): void {
    const worker = cluster.fork();
    this.workers.set(worker, Date.now());
  }

  private exited(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    const uptimeMs = Date.now() - (this.workers.get(worker) ?? Date.now());
    this.workers.delete(worker);
    const how = `worker ${worker.id} (pid ${worker.process.pid}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`;
    if (this.stopSignal) {
      // A worker killed by the signal we forwarded had not yet set up its graceful stop: nothing was in flight.
      if (code !== 0 && signal !== this.stopSignal) {
        this.error(`${how} while stopping`);
        if (this.exitCode === 0) this.exitCode = 1;
      }
      this.finishWhenAllExited();
      return;
    }
    if (!this.serviceUp) {
      // No worker ever listened: a start-up failure (the port taken, a bad registry file), which every
      // replacement would repeat. Fail the way one process does rather than retry forever.
      this.error(`${how} before the service was listening: stopping`);
      this.exitCode = code || 1;
      this.stop('SIGTERM');
      return;
    }
    const delay = this.backoff.next(uptimeMs);
    this.error(`${how} after ${Math.round(uptimeMs / 1000)} s: replacing it${delay > 0 ? ` in ${delay} ms` : ''}`);
    const timer = setTimeout(() => {
      this.pendingForks.delete(timer);
      if (!this.stopSignal) this.fork();
    }, delay);
    this.pendingForks.add(timer);
  }

  private stop(signal: NodeJS.Signals): void {
    if (this.stopSignal) return;
    this.stopSignal = signal;
    for (const timer of this.pendingForks) clearTimeout(timer);
    this.pendingForks.clear();
    this.log(`${signal} received: stopping ${this.workers.size} workers`);
    for (const worker of this.workers.keys()) worker.process.kill(signal);
    setTimeout(() => {
      this.error(`${this.workers.size} workers still running after ${STOP_TIMEOUT_MS} ms: killing them`);
      for (const worker of this.workers.keys()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    this.finishWhenAllExited();
  }

  private finishWhenAllExited(): void {
    if (this.workers.size > 0) return;
    this.log(`every worker has exited: exiting ${this.exitCode}`);
    process.exit(this.exitCode);
  }

  private log(msg: string): void {
    this.logger.log(msg, this.name);
  }

  private error(msg: string): void {
    this.logger.error(msg, this.name);
  }
}
