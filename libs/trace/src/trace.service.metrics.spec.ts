import { Metrics } from '@lib/metrics';
import { KafkaLookup, TraceRef } from './decisions/inputs';
import { KafkaLookups, PrimaryStoreReader, SearchStoreReader } from './readers/ports';
import { itemKey, TraceItem } from './trace-item';
import { TraceService } from './trace.service';

const NOW = Date.UTC(2026, 0, 1);
const TRACE: TraceRef = { traceId: `${(NOW * 1000).toString(16).padStart(16, '0')}0123456789abcdef`, timestamp: NOW };
const opts = { onlyIncludeErrors: false, detailed: false, skipCache: false };
const item: TraceItem = { urn: 'urn:li:dataset:(urn:li:dataPlatform:hive,m,PROD)', entityType: 'dataset', aspect: 'status', isTimeseries: false };
const timeseriesItem: TraceItem = { urn: item.urn, entityType: 'dataset', aspect: 'datasetProfile', isTimeseries: true };

class DownSql extends PrimaryStoreReader {
  async latest(): Promise<never> {
    throw new Error('connect ECONNREFUSED 127.0.0.1:3306');
  }
}
class HungSearch extends SearchStoreReader {
  systemDocs = () => new Promise<never>(() => undefined);
  timeseriesWritten = () => new Promise<never>(() => undefined);
}
class PendingKafka extends KafkaLookups {
  async proposals(items: TraceItem[]) {
    return new Map<string, KafkaLookup>(items.map((i) => [itemKey(i), { kind: 'failed', reason: 'no' }]));
  }
  async changeLogs(items: TraceItem[]) {
    return new Map<string, KafkaLookup>(items.map((i) => [itemKey(i), { kind: 'failed', reason: 'no' }]));
  }
  async failures() {
    return new Map();
  }
}

describe('TraceService metrics', () => {
  it('counts each store read that fails or times out as an error of that dependency', async () => {
    const metrics = new Metrics();
    const service = new TraceService(new DownSql(), new HungSearch(), new PendingKafka(), 30, metrics);
    const res = await service.trace(TRACE, [item, timeseriesItem], opts);
    expect(res[item.urn].status.primaryStorage.writeStatus).toBe('UNKNOWN');
    const { values } = await metrics.dependencyErrors.get();
    const of = (dependency: string) => values.find((v) => v.labels.dependency === dependency && v.labels.operation === 'trace_read')?.value;
    expect(of('mysql')).toBe(1);
    // timeseriesWritten timed out; systemDocs had nothing to read (nothing ACTIVE), so it was not called.
    expect(of('opensearch')).toBe(1);
  });

  it('makes no read, so no error, when there is nothing to read', async () => {
    const metrics = new Metrics();
    const service = new TraceService(new DownSql(), new HungSearch(), new PendingKafka(), 30, metrics);
    const started = Date.now();
    await service.trace(TRACE, [item], opts);
    // Only versioned aspects, none ACTIVE: neither OpenSearch read is made (a hung one would have timed out).
    const { values } = await metrics.dependencyErrors.get();
    expect(values.find((v) => v.labels.dependency === 'opensearch')).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('works without Metrics', async () => {
    const service = new TraceService(new DownSql(), new HungSearch(), new PendingKafka(), 30);
    await expect(service.trace(TRACE, [item], opts)).resolves.toBeDefined();
  });
});
