import { Metrics } from './metrics';

/** The value of one series in the registry, or undefined when the series does not exist. */
async function valueOf(metrics: Metrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, l]) => String((v.labels as Record<string, unknown>)[k]) === l));
  return match?.value;
}

describe('Metrics', () => {
  it('exposes every instrument in the Prometheus text format 0.0.4', async () => {
    const metrics = new Metrics();
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await metrics.text();
    for (const name of [
      'http_request_duration_seconds',
      'kafka_consumer_lag',
      'trace_offset_cache_total',
      'failed_proposals_total',
      'dependency_errors_total',
      'proposals_processed_total',
      'change_logs_indexed_total',
      'search_documents_refused_total',
      'search_bulk_items_resent_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    // Both cache results exist from the start, at 0.
    expect(text).toContain('trace_offset_cache_total{result="hit"} 0');
    expect(text).toContain('trace_offset_cache_total{result="miss"} 0');
    // Unit tests do not get the process metrics; the app does.
    expect(text).not.toContain('process_cpu_user_seconds_total');
  });

  it('adds the default process metrics when asked', async () => {
    expect(await new Metrics({ defaultMetrics: true }).text()).toContain('process_cpu_user_seconds_total');
  });

  it('moves the counters', async () => {
    const metrics = new Metrics();
    metrics.offsetCache('hit');
    metrics.offsetCache('hit');
    metrics.offsetCache('miss');
    metrics.proposalsProcessed.inc(3);
    metrics.failedProposals.inc();
    metrics.changeLogsIndexed.inc(2);
    metrics.searchDocumentsRefused.inc({ index: 'datasetindex_v2' });
    metrics.searchBulkItemsResent.inc(4);
    metrics.dependencyError('mysql', 'trace_read');
    metrics.dependencyError('mysql', 'trace_read');
    metrics.dependencyError('kafka', 'produce');
    expect(await valueOf(metrics, 'trace_offset_cache_total', { result: 'hit' })).toBe(2);
    expect(await valueOf(metrics, 'trace_offset_cache_total', { result: 'miss' })).toBe(1);
    expect(await valueOf(metrics, 'proposals_processed_total')).toBe(3);
    expect(await valueOf(metrics, 'failed_proposals_total')).toBe(1);
    expect(await valueOf(metrics, 'change_logs_indexed_total')).toBe(2);
    expect(await valueOf(metrics, 'search_documents_refused_total', { index: 'datasetindex_v2' })).toBe(1);
    expect(await valueOf(metrics, 'search_bulk_items_resent_total')).toBe(4);
    expect(await valueOf(metrics, 'dependency_errors_total', { dependency: 'mysql', operation: 'trace_read' })).toBe(2);
    expect(await valueOf(metrics, 'dependency_errors_total', { dependency: 'kafka', operation: 'produce' })).toBe(1);
  });

  it('observes request latency by method, route pattern and status', async () => {
    const metrics = new Metrics();
    metrics.observeHttp('POST', '/openapi/v3/entity/:entityName', 202, 0.012);
    metrics.observeHttp('POST', '/openapi/v3/entity/:entityName', 202, 0.3);
    const text = await metrics.text();
    expect(text).toContain('http_request_duration_seconds_count{method="POST",route="/openapi/v3/entity/:entityName",status="202"} 2');
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.025",method="POST",route="/openapi/v3/entity/:entityName",status="202"} 1');
  });

  describe('kafka_consumer_lag', () => {
    it('is read from the sources at scrape time, replacing what was there', async () => {
      const metrics = new Metrics();
      let lag = 5;
      metrics.addConsumerLagSource(
        async () => [
          { group: 'mce', topic: 'MCP', partition: 0, lag },
          { group: 'mce', topic: 'MCP', partition: 1, lag: 0 },
        ],
        1000,
      );
      expect(await valueOf(metrics, 'kafka_consumer_lag', { group: 'mce', topic: 'MCP', partition: '0' })).toBe(5);
      lag = 2;
      expect(await valueOf(metrics, 'kafka_consumer_lag', { group: 'mce', topic: 'MCP', partition: '0' })).toBe(2);
      expect(await valueOf(metrics, 'kafka_consumer_lag', { group: 'mce', topic: 'MCP', partition: '1' })).toBe(0);
    });

    it('drops the series of a failing source (never stale values) and counts a Kafka error', async () => {
      const metrics = new Metrics();
      let fail = false;
      metrics.addConsumerLagSource(async () => {
        if (fail) throw new Error('ECONNREFUSED');
        return [{ group: 'mae', topic: 'MCL', partition: 2, lag: 7 }];
      }, 1000);
      metrics.addConsumerLagSource(async () => [{ group: 'mce', topic: 'MCP', partition: 0, lag: 1 }], 1000);
      expect(await valueOf(metrics, 'kafka_consumer_lag', { group: 'mae' })).toBe(7);
      fail = true;
      const { values } = await metrics.consumerLag.get();
      expect(values.map((v) => v.labels.group)).toEqual(['mce']);
      expect(await valueOf(metrics, 'dependency_errors_total', { dependency: 'kafka', operation: 'consumer_lag' })).toBe(1);
    });

    it('bounds a source by its timeout, so a hung Kafka never hangs the scrape', async () => {
      const metrics = new Metrics();
      metrics.addConsumerLagSource(() => new Promise(() => undefined), 30);
      const started = Date.now();
      await metrics.text();
      expect(Date.now() - started).toBeLessThan(1000);
      // The registry reads its metrics concurrently: the error shows from the next scrape on.
      expect(await metrics.text()).toContain('dependency_errors_total{dependency="kafka",operation="consumer_lag"} 1');
    });

    it('stops reading a source once unregistered', async () => {
      const metrics = new Metrics();
      const source = jest.fn(async () => [{ group: 'g', topic: 't', partition: 0, lag: 1 }]);
      const unregister = metrics.addConsumerLagSource(source, 1000);
      await metrics.text();
      unregister();
      await metrics.text();
      expect(source).toHaveBeenCalledTimes(1);
      expect(await valueOf(metrics, 'kafka_consumer_lag', { group: 'g' })).toBeUndefined();
    });
  });
});
