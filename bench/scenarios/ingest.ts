import { CpuMeter, Ctx, ScenarioResult, withRss } from '../lib/context';
import { NAMES } from '../lib/env';
import { post } from '../lib/http';
import { closedLoop, LoadTally } from '../lib/load';
import { mcpMessages, newTraceId, serviceBody, urns } from '../lib/payloads';
import { round } from '../lib/stats';
import { Row } from '../lib/table';

export const CLIENTS = 8;
const POOL = 64;

/** Rounds alternating the measured side and its floor, so drift in the machine's load (others' jobs) hits both alike. */
export const rounds = (quick: boolean) => (quick ? 1 : 4);

/**
 * Scenario 1: aspects accepted per second through POST /openapi/v3/entity/dataset (async, 202), with
 * batches of 1, 10 and 100 aspects from 8 concurrent clients, beside a bare kafkajs producer sending
 * the same MCP messages, one sendBatch per batch, from 8 concurrent loops. `ctx.gms` here is a gms of
 * its own with no consumers, on a topic of its own (NAMES.ingestMcp), which the floor writes to as well.
 */
export async function ingest(ctx: Ctx): Promise<ScenarioResult> {
  const ms = ctx.quick ? 1500 : 8000;
  const warmMs = ctx.quick ? 300 : 1500;
  const rows: Row[] = [];
  const data: Record<string, unknown> = { clients: CLIENTS, durationMs: ms, rounds: rounds(ctx.quick) };
  const { result: cells, rss } = await withRss(ctx.gms, async () => {
    const out: Record<string, unknown> = {};
    for (const batch of [1, 10, 100]) {
      const bodies = Array.from({ length: POOL }, (_, k) => serviceBody(urns(`s1b${batch}`, k * batch, batch), k * batch));
      const messages = Array.from({ length: POOL }, (_, k) => mcpMessages(urns(`s1b${batch}`, k * batch, batch), newTraceId(), k * batch));
      const service = async (seq: number) => ((await post(`${ctx.gms.url}/openapi/v3/entity/dataset`, bodies[seq % POOL])).status === 202 ? batch : 0);
      const floor = async (seq: number) => {
        await ctx.stack.producer.sendBatch({ acks: -1, timeout: 5000, topicMessages: [{ topic: NAMES.ingestMcp, messages: messages[seq % POOL] }] });
        return batch;
      };
      await closedLoop(CLIENTS, warmMs, service);
      await closedLoop(CLIENTS, warmMs, floor);
      const [sTally, fTally] = [new LoadTally(), new LoadTally()];
      const [sCpu, fCpu] = [new CpuMeter(ctx.gms), new CpuMeter(ctx.gms)];
      for (let r = 0; r < rounds(ctx.quick); r++) {
        await sCpu.during(() => closedLoop(CLIENTS, ms / rounds(ctx.quick), service, sTally));
        await fCpu.during(() => closedLoop(CLIENTS, ms / rounds(ctx.quick), floor, fTally));
      }
      const [s, f] = [sTally.result(), fTally.result()];
      out[`batch${batch}`] = { service: { ...s, cpu: sCpu.percent() }, floor: { ...f, cpu: fCpu.percent() } };
      const ratio = round(s.throughput.value! / f.throughput.value!, 2);
      ctx.log(
        `  batch ${batch}: service ${s.throughput.value} aspects/s (${s.errors} errors; CPU % of a core: gms ${sCpu.percent().service}, bench ${sCpu.percent().bench}), ` +
          `floor ${f.throughput.value} aspects/s (bench CPU ${fCpu.percent().bench}%), ratio ${ratio}`,
      );
      rows.push({
        scenario: '1 ingest',
        case: `batch ${batch}, ${CLIENTS} clients`,
        figure: s.throughput,
        floor: f.throughput,
        ratio,
        ...(batch === 100 ? { target: '>= 0.7x', met: ratio >= 0.7 } : {}),
      });
    }
    return out;
  });
  rows.push({ scenario: '1 ingest', case: 'gms RSS during ingest (overall = VmHWM)', figure: rss });
  Object.assign(data, { cells, gmsRss: rss });
  return { rows, data };
}
