import cluster, { Worker } from 'cluster';
import { AggregatorRegistry, Registry } from 'prom-client';

/**
 * Metrics of an HTTP service run as several processes (GMS_WORKERS > 1): a scrape may reach any worker,
 * and each answers for the whole cluster. The worker asks the primary, which collects every worker's
 * registry with prom-client's AggregatorRegistry (its own cluster messages) and answers the aggregate:
 * counters and histograms summed, gauges by their `aggregator` (kafka_consumer_lag: max).
 */
const SCRAPE_REQUEST = 'metrics:cluster-scrape';
const SCRAPE_RESULT = 'metrics:cluster-scrape-result';

/** prom-client gives up on a worker that does not answer after 5 s; the asking worker waits a little longer. */
export const CLUSTER_SCRAPE_TIMEOUT_MS = 6000;

interface ScrapeRequest {
  type: typeof SCRAPE_REQUEST;
  id: number;
}

interface ScrapeResult {
  type: typeof SCRAPE_RESULT;
  id: number;
  text?: string;
  error?: string;
}

const isMessage = <T extends { type: string }>(msg: unknown, type: T['type']): msg is T =>
  typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === type;

/** In the primary: answer the workers' scrapes with the aggregate of every worker's registry. */
export function aggregateWorkerMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, msg: unknown) => {
    if (!isMessage<ScrapeRequest>(msg, SCRAPE_REQUEST)) return;
    const reply = (result: Omit<ScrapeResult, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: SCRAPE_RESULT, id: msg.id, ...result } satisfies ScrapeResult);
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (err: unknown) => reply({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
}

/**
 * In a worker, first thing: answer the primary's collection requests (prom-client registers its listener
 * when an AggregatorRegistry is made), with nothing until `offerRegistry` - so a worker still starting
 * never stalls the others' scrapes.
 */
export function joinClusterMetrics(): void {
  AggregatorRegistry.setRegistries([]);
  new AggregatorRegistry();
}

/** In a worker: the registry the primary collects from this process. */
export function offerRegistry(registry: Registry): void {
  joinClusterMetrics();
  AggregatorRegistry.setRegistries([registry]);
}

let nextId = 0;
const pending = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
let listening = false;

/** In a worker: the cluster-wide exposition, from the primary. */
export function clusterMetricsText(timeoutMs = CLUSTER_SCRAPE_TIMEOUT_MS): Promise<string> {
  if (!cluster.isWorker || !process.send) return Promise.reject(new Error('not a cluster worker'));
  if (!listening) {
    listening = true;
    process.on('message', (msg: unknown) => {
      if (!isMessage<ScrapeResult>(msg, SCRAPE_RESULT)) return;
      const request = pending.get(msg.id);
      if (!request) return;
      pending.delete(msg.id);
      clearTimeout(request.timer);
      if (msg.text !== undefined) request.resolve(msg.text);
      else request.reject(new Error(msg.error ?? 'no metrics'));
    });
  }
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`the primary did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    pending.set(id, { resolve, reject, timer });
    process.send!({ type: SCRAPE_REQUEST, id } satisfies ScrapeRequest);
  });
}
