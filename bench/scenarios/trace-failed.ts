import { Ctx, ScenarioResult, spanBreakdown, startMce, stopMce, until } from '../lib/context';
import { NAMES } from '../lib/env';
import { post, trace, traceIdOf } from '../lib/http';
import { failedMessage, mcpMessages, newTraceId, urnOf, urns } from '../lib/payloads';
import { messageCount, moveGroupToEnd, produceMany } from '../lib/stack';
import { jitter, nowMs, round, sleep, summarize } from '../lib/stats';
import { Row } from '../lib/table';

const LEVELS = [10000, 100000];
/** TRACE_KAFKA options' timestampSkewMs (libs/trace/src/kafka/trace-kafka-options.ts). */
const SKEW_MS = 5000;
const ASPECT = 'glossaryTerms';

type Body = Record<
  string,
  Record<string, { primaryStorage: { writeStatus: string; writeExceptions?: { message: string }[] }; searchStorage: { writeStatus: string } }>
>;
const failedWithException = (reply: string, list: string[]) => {
  const body = JSON.parse(reply) as Body;
  return list.filter((u) => body[u]?.[ASPECT]?.primaryStorage.writeExceptions?.[0]?.message === 'Expected version -10000, actual version -1').length;
};

/**
 * Scenario 5: the detailed trace (detailed=true) of failed writes when the MCP topic and the failed topic
 * each hold 10,000 and then 100,000 other messages. The filler is produced by a bare producer in big
 * batches (the MCE group is moved past it), and the failing write follows more than the readers' 5 s
 * skew margin later, so the trace's timestamp seek should skip the filler: the cost at 100k should stay
 * that of 10k (the floor). Filler stamped with old timestamps would not do: Kafka's time index keeps the
 * largest timestamp so far, so a lookup behind out-of-order timestamps scans the log. Requests are spaced
 * by a random 0-100 ms so they do not phase-lock to the Kafka readers' 100 ms poll. Leaves the MCE
 * consumer running.
 */
export async function traceFailed(ctx: Ctx): Promise<ScenarioResult> {
  const rows: Row[] = [];
  const data: Record<string, unknown> = {};
  const iterations = ctx.quick ? 10 : 100;
  const figures: Record<number, ReturnType<typeof summarize>> = {};
  let produced = 0;
  for (const level of LEVELS) {
    await stopMce(ctx);
    const t0 = nowMs();
    const from = produced;
    await produceMany(ctx.stack.producer, NAMES.mcp, level - from, (i) => mcpMessages([urnOf('s5fill', from + i)], newTraceId(), i)[0]);
    await produceMany(ctx.stack.producer, NAMES.failed, level - from, (i) => failedMessage(urnOf('s5fill', from + i), i));
    produced = level;
    const filledAt = nowMs();
    const fillMs = Math.round(filledAt - t0);
    await moveGroupToEnd(ctx.stack.admin, NAMES.mceGroup, NAMES.mcp);
    await startMce(ctx);
    // The trace reads from 5 s (the readers' clock-skew margin) before its trace id's time: write after that.
    await sleep(Math.max(0, filledAt + SKEW_MS + 1000 - nowMs()));
    const counts = { mcp: await messageCount(ctx.stack.admin, NAMES.mcp), failed: await messageCount(ctx.stack.admin, NAMES.failed) };

    const list = urns(`s5l${level}`, 0, 1);
    const write = list.map((urn) => ({
      urn,
      [ASPECT]: {
        value: { terms: [{ urn: 'urn:li:glossaryTerm:Sensitive' }], auditStamp: { time: 1, actor: 'urn:li:corpuser:bench' } },
        headers: { 'If-Version-Match': '-10000' },
      },
    }));
    const traceId = traceIdOf(await post(`${ctx.gms.url}/openapi/v3/entity/dataset`, JSON.stringify(write)));
    const body = JSON.stringify(Object.fromEntries(list.map((u) => [u, [ASPECT]])));
    await until(
      async () => failedWithException((await trace(ctx.gms.url, traceId, body, { detailed: true })).body, list) === list.length,
      60000,
      'failed write recorded',
    );
    for (let i = 0; i < 3; i++) await trace(ctx.gms.url, traceId, body, { detailed: true });
    const times: number[] = [];
    let wrong = 0;
    for (let i = 0; i < iterations; i++) {
      await jitter();
      const t = nowMs();
      const r = await trace(ctx.gms.url, traceId, body, { detailed: true });
      times.push(nowMs() - t);
      wrong += list.length - failedWithException(r.body, list);
    }
    const f = summarize(times, 'ms');
    // The broker's share of the seek, timed bare: the offsets at the trace's time less the skew margin.
    const at = Number(BigInt(`0x${traceId.slice(0, 16)}`) / 1000n) - SKEW_MS;
    const seek: Record<string, ReturnType<typeof summarize>> = {};
    for (const topic of [NAMES.mcp, NAMES.failed]) {
      const ms: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t = nowMs();
        await ctx.stack.admin.fetchTopicOffsetsByTimestamp(topic, at);
        ms.push(nowMs() - t);
      }
      seek[topic] = summarize(ms, 'ms');
    }
    figures[level] = f;
    ctx.log(
      `  ${level} filler (topics hold mcp ${counts.mcp}, failed ${counts.failed}; filled in ${fillMs} ms): detailed trace median ${f.median} ms p99 ${f.p99} ms${wrong ? `, ${wrong} without the exception!` : ''}`,
    );
    data[`filler${level}`] = {
      counts,
      fillMs,
      traceId,
      detailedTrace: f,
      missingException: wrong,
      bareSeekByTimestamp: seek,
      spans: await spanBreakdown(ctx.gms, traceId, body, { detailed: true }),
    };
  }
  const ratio = round(figures[100000].median / figures[10000].median, 2);
  rows.push({ scenario: '5 trace failed', case: 'detailed, 1 pair, 10k other messages', figure: figures[10000] });
  rows.push({
    scenario: '5 trace failed',
    case: 'detailed, 1 pair, 100k other messages',
    figure: figures[100000],
    floor: figures[10000],
    ratio,
    ratioOf: 'median vs 10k',
  });
  return { rows, data };
}
