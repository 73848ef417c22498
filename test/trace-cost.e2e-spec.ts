import { randomBytes } from 'crypto';
import { AppProcess } from './support/app-process';
import { request } from './support/http';
import { dropNamespace, ownNamespace } from './support/namespace';
import { eventually } from './support/poll';
import { states, traceIdOf, traceWrite } from './support/trace-client';

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const urnOf = (name: string) => `urn:li:dataset:(urn:li:dataPlatform:hive,tc_${run}.${name},PROD)`;
const MAX_PAIRS = 6;
/** A trace id of "now" nobody wrote under: the stores settle nothing, so its trace reads Kafka. */
const unknownTraceId = () => Date.now().toString(16).padStart(12, '0') + randomBytes(10).toString('hex');

/**
 * The trace endpoint bounds its own cost (contract 5.3) on the real stack: TRACE_MAX_PAIRS per request, and
 * TRACE_KAFKA_MAX_INFLIGHT traces reading Kafka at once per process, past which a trace that needs Kafka is
 * refused with 503 + Retry-After - while traces the stores settle go on answering. (How their latency holds
 * up under the flood is measured by the benchmark, not asserted here.)
 */
describe('trace cost bounds: TRACE_MAX_PAIRS and the shared Kafka gate', () => {
  const env = ownNamespace(`tc${run}`);
  let gms: AppProcess;
  const settled: { urn: string; traceId: string }[] = [];

  beforeAll(async () => {
    gms = await AppProcess.start('gms', {
      ...env,
      GMS_WORKERS: '1',
      RUN_CONSUMERS: 'mce,mae',
      TRACE_MAX_PAIRS: String(MAX_PAIRS),
      TRACE_KAFKA_MAX_INFLIGHT: '1',
      TRACE_KAFKA_QUEUE_MS: '0',
    });
    await gms.waitHealthy();
    for (let i = 0; i < 4; i++) {
      const urn = urnOf(`settled${i}`);
      const res = await request('POST', `${gms.url}/openapi/v3/entity/dataset?async=false`, [{ urn, status: { value: { removed: false } } }]);
      expect(res.status).toBe(200);
      settled.push({ urn, traceId: traceIdOf(res.headers.get('traceparent')) });
    }
    for (const { urn, traceId } of settled) {
      await eventually(
        async () => states((await traceWrite(gms.url, traceId, { [urn]: ['status'] })).body, urn, 'status'),
        (s) => s === 'ACTIVE_STATE/ACTIVE_STATE',
        20000,
      );
    }
  }, 90000);

  afterAll(async () => {
    await gms?.stop();
    await dropNamespace(env);
  });

  it('answers 400 naming the bound past TRACE_MAX_PAIRS pairs, and takes exactly that many', async () => {
    const aspects = ['status', 'datasetProperties', 'ownership'];
    const pairs = (n: number) => Object.fromEntries(Array.from({ length: n / 3 }, (_, i) => [urnOf(`p${i}`), aspects]));
    const over = await traceWrite(gms.url, unknownTraceId(), pairs(MAX_PAIRS + 3));
    expect(over.status).toBe(400);
    expect(over.body.message).toBe(`too many (urn, aspect) pairs: ${MAX_PAIRS + 3} (at most ${MAX_PAIRS})`);
    expect((await traceWrite(gms.url, unknownTraceId(), pairs(MAX_PAIRS))).status).toBe(200);
  });

  it('refuses a flood of Kafka-bound traces with 503 + Retry-After while every settled trace still answers ACTIVE_STATE', async () => {
    const before = await refusedCount(gms.url);
    const flood = Array.from({ length: 120 }, (_, i) => traceWrite(gms.url, unknownTraceId(), { [urnOf(`ghost${i % 30}`)]: ['status'] }));
    const settledAnswers: string[] = [];
    const settledTraces = (async () => {
      for (let round = 0; round < 5; round++) {
        for (const { urn, traceId } of settled) {
          const res = await traceWrite(gms.url, traceId, { [urn]: ['status'] });
          settledAnswers.push(`${res.status} ${states(res.body, urn, 'status')}`);
        }
      }
    })();
    const [answers] = await Promise.all([Promise.all(flood), settledTraces]);

    expect(new Set(settledAnswers)).toEqual(new Set(['200 ACTIVE_STATE/ACTIVE_STATE']));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    const refused = answers.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    // A trace that got its slot answered in full: nobody wrote under these ids.
    for (const ok of answers.filter((r) => r.status === 200)) {
      const [urn] = Object.keys(ok.body);
      expect(states(ok.body, urn, 'status')).toBe('NO_OP/NO_OP');
    }
    for (const r of refused) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(r.body.message).toContain('TRACE_KAFKA_MAX_INFLIGHT');
    }
    expect((await refusedCount(gms.url)) - before).toBe(refused.length);
  }, 60000);
});

async function refusedCount(base: string): Promise<number> {
  const res = await fetch(`${base}/metrics`);
  const line = (await res.text()).split('\n').find((l) => l.startsWith('trace_kafka_refused_total'));
  return Number(line?.split(' ')[1] ?? NaN);
}
