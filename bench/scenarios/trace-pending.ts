import { Ctx, ScenarioResult, spanBreakdown, stopMce } from '../lib/context';
import { NAMES } from '../lib/env';
import { post, trace, traceIdOf } from '../lib/http';
import { ASPECT, serviceBody, urns } from '../lib/payloads';
import { jitter, nowMs, round, summarize } from '../lib/stats';
import { Row } from '../lib/table';
import { notActive } from './trace-settled';

type Body = Record<string, Record<string, { primaryStorage: { writeStatus: string }; searchStorage: { writeStatus: string } }>>;

const pendingPairs = (reply: string, list: string[]) => {
  const body = JSON.parse(reply) as Body;
  return list.filter((u) => body[u]?.[ASPECT]?.primaryStorage.writeStatus === 'PENDING' && body[u][ASPECT].searchStorage.writeStatus === 'PENDING').length;
};

/**
 * Scenario 4: the trace of pending writes, with the MCE consumer stopped: the stores cannot settle them,
 * so the service reads the MCE group's committed offsets (cached for 5 s; refetched with skipCache=true)
 * and finds the proposal on its partition. Measured beside the settled trace of as many pairs (scenario
 * 3's write), in the same loop; the floor of the skipCache increment is one bare admin.fetchOffsets.
 * Requests are spaced by a random 0-100 ms (jitter()) so they do not phase-lock to the Kafka readers' poll.
 * Leaves the MCE consumer stopped.
 */
export async function tracePending(ctx: Ctx, settled: { traceId: string; urns: string[] }): Promise<ScenarioResult> {
  const data: Record<string, unknown> = {};
  await stopMce(ctx);
  const rows: Row[] = [];
  const iterations = ctx.quick ? 12 : 60;
  for (const n of [1, 10]) {
    const list = urns(`s4n${n}`, 0, n);
    const reply = await post(`${ctx.gms.url}/openapi/v3/entity/dataset`, serviceBody(list));
    const traceId = traceIdOf(reply);
    const body = JSON.stringify(Object.fromEntries(list.map((u) => [u, [ASPECT]])));
    const settledList = settled.urns.slice(0, n);
    const settledBody = JSON.stringify(Object.fromEntries(settledList.map((u) => [u, [ASPECT]])));
    for (let i = 0; i < 5; i++) await trace(ctx.gms.url, traceId, body, { skipCache: true }); // the reader joins its group once

    const warm: number[] = [];
    const skip: number[] = [];
    const settledMs: number[] = [];
    const fetchOffsets: number[] = [];
    let wrong = 0;
    let primedAt = -Infinity;
    for (let i = 0; i < iterations; i++) {
      // The offset cache lives 5 s: prime it (unmeasured) when the last fill is 2 s old, so every timed request hits it.
      if (nowMs() - primedAt > 2000) {
        await trace(ctx.gms.url, traceId, body);
        primedAt = nowMs();
      }
      await jitter();
      let t0 = nowMs();
      const w = await trace(ctx.gms.url, traceId, body);
      warm.push(nowMs() - t0);
      await jitter();
      t0 = nowMs();
      const s = await trace(ctx.gms.url, traceId, body, { skipCache: true });
      skip.push(nowMs() - t0);
      primedAt = nowMs(); // skipCache refills the cache
      t0 = nowMs();
      const a = await trace(ctx.gms.url, settled.traceId, settledBody);
      settledMs.push(nowMs() - t0);
      t0 = nowMs();
      await ctx.stack.admin.fetchOffsets({ groupId: NAMES.mceGroup, topics: [NAMES.mcp] });
      fetchOffsets.push(nowMs() - t0);
      wrong += n - pendingPairs(w.body, list) + (n - pendingPairs(s.body, list)) + notActive(a.body, settledList);
    }
    const [fw, fs, fa, fo] = [summarize(warm, 'ms'), summarize(skip, 'ms'), summarize(settledMs, 'ms'), summarize(fetchOffsets, 'ms')];
    const added = round(fw.median - fa.median, 2);
    ctx.log(
      `  ${n} pair(s): pending warm median ${fw.median} ms p99 ${fw.p99}, skipCache median ${fs.median} ms p99 ${fs.p99}, settled median ${fa.median} ms; warm adds ${added} ms${wrong ? `; ${wrong} wrong states!` : ''}`,
    );
    const spans = { warmCache: await spanBreakdown(ctx.gms, traceId, body, {}), skipCache: await spanBreakdown(ctx.gms, traceId, body, { skipCache: true }) };
    data[`pairs${n}`] = { traceId, warmCache: fw, skipCache: fs, settled: fa, bareFetchOffsets: fo, warmAddsMs: added, wrongStates: wrong, spans };
    rows.push({
      scenario: '4 trace pending',
      case: `${n} pair${n > 1 ? 's' : ''}, warm cache (adds ${added} ms)`,
      figure: fw,
      floor: fa,
      ratio: round(fw.median / fa.median, 2),
      ratioOf: 'median vs settled',
    });
    rows.push({
      scenario: '4 trace pending',
      case: `${n} pair${n > 1 ? 's' : ''}, skipCache=true (adds ${round(fs.median - fa.median, 2)} ms)`,
      figure: fs,
      floor: fa,
      ratio: round(fs.median / fa.median, 2),
      ratioOf: 'median vs settled',
    });
  }
  return { rows, data };
}
