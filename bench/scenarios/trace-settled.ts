import { systemMetadataDocId } from '@lib/search';
import { Ctx, drainOrDrop, ScenarioResult, spanBreakdown, until } from '../lib/context';
import { NAMES } from '../lib/env';
import { post, trace, traceIdOf } from '../lib/http';
import { ASPECT, serviceBody, urns } from '../lib/payloads';
import { nowMs, round, summarize } from '../lib/stats';
import { Row } from '../lib/table';

export const SIZES = [1, 100, 1000];
const COLUMNS = 'urn, aspect, version, metadata, systemmetadata, createdon, createdby, createdfor';

type Body = Record<string, Record<string, { primaryStorage: { writeStatus: string }; searchStorage: { writeStatus: string } }>>;

/** Pairs of `body` not reading ACTIVE_STATE/ACTIVE_STATE (the bench checks every reply it times). */
export function notActive(reply: string, list: string[]): number {
  const body = JSON.parse(reply) as Body;
  return list.filter((u) => body[u]?.[ASPECT]?.primaryStorage.writeStatus !== 'ACTIVE_STATE' || body[u][ASPECT].searchStorage.writeStatus !== 'ACTIVE_STATE')
    .length;
}

/**
 * Scenario 3: the trace of settled writes (onlyIncludeErrors=false, so every pair is in the reply) for
 * bodies of 1, 100 and 1,000 pairs of one 1,000-aspect write; floor: the service's own SQL query for
 * the same rows plus one real-time mget of the same system-metadata ids, from this process. Service
 * and floor alternate, so drift in the machine's load hits both.
 */
export async function traceSettled(ctx: Ctx): Promise<ScenarioResult> {
  const before = await drainOrDrop(ctx, ctx.quick ? 2000 : 60000);
  const list = urns('s3', 0, 1000);
  const reply = await post(`${ctx.gms.url}/openapi/v3/entity/dataset`, serviceBody(list));
  if (reply.status !== 202) throw new Error(`seed write answered ${reply.status}: ${reply.body.slice(0, 300)}`);
  const traceId = traceIdOf(reply);
  const body = (n: number) => JSON.stringify(Object.fromEntries(list.slice(0, n).map((u) => [u, [ASPECT]])));
  const settledIn = await until(async () => notActive((await trace(ctx.gms.url, traceId, body(1000))).body, list) === 0, 120000, 'seed write settling');
  ctx.log(`  seed of 1000 aspects settled in ${Math.round(settledIn)} ms`);

  const floor = async (n: number) => {
    const pairs = list.slice(0, n);
    const where = pairs.map(() => '(urn = ? AND aspect = ?)').join(' OR ');
    await ctx.stack.sql.query(
      `SELECT ${COLUMNS} FROM metadata_aspect_v2 WHERE version = 0 AND (${where})`,
      pairs.flatMap((u) => [u, ASPECT]),
    );
    await ctx.stack.search.mget({ index: NAMES.systemMetadataIndex, realtime: true, body: { ids: pairs.map((u) => systemMetadataDocId(u, ASPECT)) } });
  };

  const rows: Row[] = [];
  const data: Record<string, unknown> = { traceId, onlyIncludeErrors: false, before, seedSettledMs: Math.round(settledIn) };
  const iterations: Record<number, number> = ctx.quick ? { 1: 40, 100: 20, 1000: 8 } : { 1: 300, 100: 150, 1000: 40 };
  for (const n of SIZES) {
    const b = body(n);
    const pairs = list.slice(0, n);
    for (let i = 0; i < 5; i++) {
      await trace(ctx.gms.url, traceId, b);
      await floor(n);
    }
    const service: number[] = [];
    const bare: number[] = [];
    let wrong = 0;
    const cpu0 = ctx.gms.cpuSeconds();
    for (let i = 0; i < iterations[n]; i++) {
      let t0 = nowMs();
      const r = await trace(ctx.gms.url, traceId, b);
      service.push(nowMs() - t0);
      wrong += r.status === 200 ? notActive(r.body, pairs) : n;
      t0 = nowMs();
      await floor(n);
      bare.push(nowMs() - t0);
    }
    const gmsCpuMsPerTrace = round(((ctx.gms.cpuSeconds() - cpu0) * 1000) / iterations[n], 1);
    const s = summarize(service, 'ms');
    const f = summarize(bare, 'ms');
    const ratio = round(s.median / f.median, 2);
    ctx.log(
      `  ${n} pairs: trace median ${s.median} ms p99 ${s.p99} ms, floor median ${f.median} ms p99 ${f.p99} ms, ratio ${ratio}, gms CPU ${gmsCpuMsPerTrace} ms/trace${wrong ? `, ${wrong} pairs not ACTIVE!` : ''}`,
    );
    data[`pairs${n}`] = { service: s, floor: f, gmsCpuMsPerTrace, notActivePairs: wrong, spans: await spanBreakdown(ctx.gms, traceId, b, {}) };
    rows.push({
      scenario: '3 trace settled',
      case: `${n} pair${n > 1 ? 's' : ''}`,
      figure: s,
      floor: f,
      ratio,
      ratioOf: 'median',
      target: '<= 1.3x',
      met: ratio <= 1.3,
    });
  }
  return { rows, data };
}
