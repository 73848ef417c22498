import { AggregatorRegistry } from 'prom-client';
import { clusterMetricsText } from './cluster-metrics';
import { Metrics } from './metrics';

/** What the primary answers a scrape with: prom-client's aggregate of each worker's registry. */
async function aggregate(...workers: Metrics[]): Promise<string> {
  const perWorker = await Promise.all(workers.map((m) => m.registry.getMetricsAsJSON()));
  return AggregatorRegistry.aggregate(perWorker).metrics();
}

describe('metrics of several workers', () => {
  it('sums counters and histograms across workers, one series per label set', async () => {
    const [a, b] = [new Metrics(), new Metrics()];
    a.observeHttp('GET', '/health/live', 200, 0.001);
    a.observeHttp('GET', '/health/live', 200, 0.002);
    b.observeHttp('GET', '/health/live', 200, 0.003);
    b.observeHttp('POST', '/openapi/v3/entity/:entityName', 202, 0.3);
    a.offsetCache('miss');
    b.offsetCache('miss');
    b.offsetCache('hit');
    a.dependencyError('mysql', 'trace_read');
    const text = await aggregate(a, b);
    const lines = text.split('\n');
    expect(lines.filter((l) => l.startsWith('http_request_duration_seconds_count{method="GET",route="/health/live",status="200"}'))).toEqual([
      'http_request_duration_seconds_count{method="GET",route="/health/live",status="200"} 3',
    ]);
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.005",method="GET",route="/health/live",status="200"} 3');
    expect(text).toContain('http_request_duration_seconds_count{method="POST",route="/openapi/v3/entity/:entityName",status="202"} 1');
    expect(text).toContain('trace_offset_cache_total{result="miss"} 2');
    expect(text).toContain('trace_offset_cache_total{result="hit"} 1');
    expect(text).toContain('dependency_errors_total{dependency="mysql",operation="trace_read"} 1');
  });

  it('takes the max of kafka_consumer_lag: every member of a group reports the whole group', async () => {
    const [a, b] = [new Metrics(), new Metrics()];
    a.addConsumerLagSource(async () => [{ group: 'mce', topic: 'MCP', partition: 0, lag: 4 }], 1000);
    b.addConsumerLagSource(async () => [{ group: 'mce', topic: 'MCP', partition: 0, lag: 6 }], 1000);
    expect(await aggregate(a, b)).toContain('kafka_consumer_lag{group="mce",topic="MCP",partition="0"} 6');
  });

  it('a worker asks the primary; outside a cluster that fails, and GET /metrics would answer 503 rather than one process alone', async () => {
    await expect(clusterMetricsText(100)).rejects.toThrow('not a cluster worker');
    await expect(new Metrics({ clusterWorker: true }).text()).rejects.toThrow('not a cluster worker');
  });
});
