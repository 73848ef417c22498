import { randomBytes } from 'crypto';
import { Ctx, ScenarioResult } from '../lib/context';
import { trace } from '../lib/http';
import { ASPECT, urns } from '../lib/payloads';
import { nowMs, round, summarize } from '../lib/stats';
import { Row } from '../lib/table';
import { notActive } from './trace-settled';

/** Flooders: each sends Kafka-bound traces back to back, so about this many are in flight at all times. */
const FLOODERS = 32;

/** A trace id of "now" that nobody wrote under: the stores settle nothing, so its trace reads Kafka. */
const unknownTraceId = (): string => Date.now().toString(16).padStart(12, '0') + randomBytes(10).toString('hex');

/**
 * Scenario 8: traces of settled writes (1 pair, from scenario 3's seed) while FLOODERS clients send traces of
 * unknown trace ids, each of which needs Kafka; the gate (TRACE_KAFKA_MAX_INFLIGHT) refuses what it cannot take
 * with 503, and a refused client waits its Retry-After before the next (as DataHub's SDK retries do). Floor: the same settled trace with no flood, timed in the same run just before. Target: the settled
 * trace's median under the flood within 2x of the floor (the two cores are shared with the flood's own work).
 */
export async function traceFlood(ctx: Ctx, seed: { traceId: string }): Promise<ScenarioResult> {
  const list = urns('s3', 0, 1);
  const body = JSON.stringify({ [list[0]]: [ASPECT] });
  const timed = async (n: number): Promise<{ ms: number[]; wrong: number }> => {
    const ms: number[] = [];
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      const t0 = nowMs();
      const r = await trace(ctx.gms.url, seed.traceId, body);
      ms.push(nowMs() - t0);
      wrong += r.status === 200 ? notActive(r.body, list) : 1;
    }
    return { ms, wrong };
  };
  const n = ctx.quick ? 40 : 200;
  await timed(10);
  const alone = await timed(n);

  let flooding = true;
  const counts = { answered: 0, refused: 0, other: 0 };
  const flooders = Array.from({ length: FLOODERS }, async (_, f) => {
    for (let i = 0; flooding; i++) {
      const r = await trace(ctx.gms.url, unknownTraceId(), JSON.stringify({ [urns('s8', f * 1000 + (i % 1000), 1)[0]]: [ASPECT] }));
      if (r.status === 200) counts.answered++;
      else if (r.status === 503) {
        counts.refused++;
        await new Promise((resolve) => setTimeout(resolve, 1000 * Number(r.headers['retry-after'] ?? 1)));
      } else counts.other++;
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const t0 = nowMs();
  const cpu0 = ctx.gms.cpuSeconds();
  const flooded = await timed(n);
  const floodSeconds = (nowMs() - t0) / 1000;
  const gmsCpuPercent = round(((ctx.gms.cpuSeconds() - cpu0) / floodSeconds) * 100, 0);
  flooding = false;
  await Promise.all(flooders);

  const s = summarize(flooded.ms, 'ms');
  const f = summarize(alone.ms, 'ms');
  const ratio = round(s.median / f.median, 2);
  ctx.log(
    `  settled trace alone median ${f.median} ms p99 ${f.p99} ms; under a flood of ${FLOODERS} clients median ${s.median} ms p99 ${s.p99} ms (ratio ${ratio}); ` +
      `flood: ${counts.answered} answered, ${counts.refused} refused (503), ${counts.other} other, in ${round(floodSeconds, 1)} s; gms CPU ${gmsCpuPercent}%` +
      (alone.wrong + flooded.wrong ? `; ${alone.wrong + flooded.wrong} settled traces not ACTIVE!` : ''),
  );
  const rows: Row[] = [
    {
      scenario: '8 trace under flood',
      case: `settled, ${FLOODERS} Kafka-bound clients`,
      figure: s,
      floor: f,
      ratio,
      ratioOf: 'median',
      target: '<= 2x',
      met: ratio <= 2 && flooded.wrong === 0,
    },
  ];
  return {
    rows,
    data: {
      floodClients: FLOODERS,
      alone: f,
      flooded: s,
      flood: counts,
      floodSeconds: round(floodSeconds, 1),
      gmsCpuPercent,
      notActive: alone.wrong + flooded.wrong,
    },
  };
}
