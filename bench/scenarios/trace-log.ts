import { statSync } from 'fs';
import { CpuMeter, Ctx, ScenarioResult } from '../lib/context';
import { post } from '../lib/http';
import { closedLoop, LoadTally } from '../lib/load';
import { serviceBody, urns } from '../lib/payloads';
import { round } from '../lib/stats';
import { Row } from '../lib/table';
import { CLIENTS, rounds } from './ingest';

const POOL = 64;

/**
 * Scenario 6: the cost of the trace log on ingest - the same load as scenario 1 with and without
 * `X-Enable-Trace-Log: true`. The floor is the run without the header; the log bytes the service
 * wrote per aspect are recorded as the evidence of what the flag costs.
 */
export async function traceLog(ctx: Ctx): Promise<ScenarioResult> {
  const ms = ctx.quick ? 1500 : 8000;
  const rows: Row[] = [];
  const data: Record<string, unknown> = { clients: CLIENTS, durationMs: ms, rounds: rounds(ctx.quick) };
  for (const batch of [10, 100]) {
    const bodies = Array.from({ length: POOL }, (_, k) => serviceBody(urns(`s6b${batch}`, k * batch, batch), k * batch));
    const send = (headers: Record<string, string>) => async (seq: number) =>
      (await post(`${ctx.gms.url}/openapi/v3/entity/dataset`, bodies[seq % POOL], headers)).status === 202 ? batch : 0;
    const [plain, logged] = [send({}), send({ 'X-Enable-Trace-Log': 'true' })];
    await closedLoop(CLIENTS, ctx.quick ? 300 : 1500, logged);
    const [wTally, oTally] = [new LoadTally(), new LoadTally()];
    const [wCpu, oCpu] = [new CpuMeter([ctx.gms]), new CpuMeter([ctx.gms])];
    let logBytes = 0;
    for (let r = 0; r < rounds(ctx.quick); r++) {
      await oCpu.during(() => closedLoop(CLIENTS, ms / rounds(ctx.quick), plain, oTally));
      const before = statSync(ctx.gms.logFile).size;
      await wCpu.during(() => closedLoop(CLIENTS, ms / rounds(ctx.quick), logged, wTally));
      logBytes += statSync(ctx.gms.logFile).size - before;
    }
    const [withLog, without] = [wTally.result(), oTally.result()];
    const logBytesPerAspect = round(logBytes / withLog.aspects, 1);
    const ratio = round(withLog.throughput.value! / without.throughput.value!, 2);
    ctx.log(
      `  batch ${batch}: with trace log ${withLog.throughput.value} aspects/s, without ${without.throughput.value}, ratio ${ratio}, ` +
        `${logBytesPerAspect} log bytes/aspect, gms CPU ${wCpu.percent().service}% vs ${oCpu.percent().service}%`,
    );
    data[`batch${batch}`] = { with: { ...withLog, cpu: wCpu.percent() }, without: { ...without, cpu: oCpu.percent() }, logBytesPerAspect };
    rows.push({ scenario: '6 trace log', case: `batch ${batch}, with/without header`, figure: withLog.throughput, floor: without.throughput, ratio });
  }
  return { rows, data };
}
