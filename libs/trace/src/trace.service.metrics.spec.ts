import { Metrics } from '@lib/metrics';
import { KafkaLookup, TraceRef } from './decisions/inputs';
import { PrimaryStoreReader, SearchStoreReader, UrnAspect } from './readers/ports';
import { FakeKafka } from './testing/fake-stores';
import { traceIdAt, traceItem } from './testing/fixtures';
import { TraceService } from './trace.service';

const NOW = Date.UTC(2026, 0, 1);
const TRACE: TraceRef = { traceId: traceIdAt(NOW), timestamp: NOW };
const opts = { onlyIncludeErrors: false, detailed: false, skipCache: false };
const item = traceItem('urn:li:dataset:(urn:li:dataPlatform:hive,m,PROD)');
const timeseriesItem = traceItem(item.urn, 'datasetProfile', true);

class DownSql extends PrimaryStoreReader {
  async latest(): Promise<never> {
    throw new Error('connect ECONNREFUSED 127.0.0.1:3306');
  }
}
class HungSearch extends SearchStoreReader {
  systemDocs = () => new Promise<never>(() => undefined);
  timeseriesWritten = () => new Promise<never>(() => undefined);
}
/** Every Kafka look-up failed. */
class FailingKafka extends FakeKafka {
  override async mcpLookups<T extends UrnAspect>(items: readonly T[]) {
    return new Map<T, KafkaLookup>(items.map((i) => [i, { kind: 'failed', reason: 'no' }]));
  }
  override async mclLookups<T extends UrnAspect>(items: readonly T[]) {
    return new Map<T, KafkaLookup>(items.map((i) => [i, { kind: 'failed', reason: 'no' }]));
  }
}

describe('TraceService metrics', () => {
  it('counts each store read that fails or times out as an error of that dependency', async () => {
    const metrics = new Metrics();
    const service = new TraceService(new DownSql(), new HungSearch(), new FailingKafka(), 30, metrics);
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
    const service = new TraceService(new DownSql(), new HungSearch(), new FailingKafka(), 30, metrics);
    const started = Date.now();
    await service.trace(TRACE, [item], opts);
    // Only versioned aspects, none ACTIVE: neither OpenSearch read is made (a hung one would have timed out).
    const { values } = await metrics.dependencyErrors.get();
    expect(values.find((v) => v.labels.dependency === 'opensearch')).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('works without Metrics', async () => {
    const service = new TraceService(new DownSql(), new HungSearch(), new FailingKafka(), 30);
    await expect(service.trace(TRACE, [item], opts)).resolves.toBeDefined();
  });
});
