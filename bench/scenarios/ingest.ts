import { CpuMeter, Ctx, gmsUrl, ScenarioResult, withRss } from '../lib/context';
import { NAMES } from '../lib/env';
import { patch, post } from '../lib/http';
import { closedLoop, LoadTally } from '../lib/load';
import { mcpMessages, newTraceId, patchBody, serviceBody, urns } from '../lib/payloads';
import { round } from '../lib/stats';
import { Row } from '../lib/table';

export const CLIENTS = 8;
const POOL = 64;

/** Rounds alternating the measured side and its floor, so drift in the machine's load (others' jobs) hits both alike. */
export const rounds = (quick: boolean) => (quick ? 1 : 4);

/** Ingest targets: aspects/s of the service against the bare producer's (batches of 1 have none). */
const TARGETS: Record<number, number> = { 10: 0.5, 100: 0.7 };

/** The case label of the PATCH row, which follows the upsert row of the same batch. */
export const PATCH_CASE = 'PATCH (globalTags add tag)';

/**
 * One cell of scenario 1: `batch`-aspect requests from 8 concurrent clients to the gms processes of
 * `ctx.gmsAll` (spread round-robin), alternating in rounds with the bare producer's loops. With
 * `withPatch`, PATCH requests of as many globalTags patches take a turn in each round as well (upsert,
 * patch, floor), against the same floor: their row follows the upsert row.
 */
async function cell(
  ctx: Ctx,
  batch: number,
  ms: number,
  warmMs: number,
  label: string,
  withPatch = false,
): Promise<{ rows: Row[]; data: Record<string, unknown> }> {
  const tag = `s1p${ctx.procs}b${batch}`;
  const bodies = Array.from({ length: POOL }, (_, k) => serviceBody(urns(tag, k * batch, batch), k * batch));
  const patches = withPatch ? Array.from({ length: POOL }, (_, k) => patchBody(urns(tag, k * batch, batch), k * batch)) : [];
  const messages = Array.from({ length: POOL }, (_, k) => mcpMessages(urns(tag, k * batch, batch), newTraceId(), k * batch));
  const url = (seq: number) => `${gmsUrl(ctx, seq)}/openapi/v3/entity/dataset`;
  const service = async (seq: number) => ((await post(url(seq), bodies[seq % POOL])).status === 202 ? batch : 0);
  const patcher = async (seq: number) => ((await patch(url(seq), patches[seq % POOL])).status === 202 ? batch : 0);
  const floor = async (seq: number) => {
    await ctx.stack.producer.sendBatch({ acks: -1, timeout: 5000, topicMessages: [{ topic: NAMES.ingestMcp, messages: messages[seq % POOL] }] });
    return batch;
  };
  await closedLoop(CLIENTS, warmMs, service);
  if (withPatch) await closedLoop(CLIENTS, warmMs, patcher);
  await closedLoop(CLIENTS, warmMs, floor);
  const [sTally, pTally, fTally] = [new LoadTally(), new LoadTally(), new LoadTally()];
  const [sCpu, pCpu, fCpu] = [new CpuMeter(ctx.gmsAll), new CpuMeter(ctx.gmsAll), new CpuMeter(ctx.gmsAll)];
  for (let r = 0; r < rounds(ctx.quick); r++) {
    await sCpu.during(() => closedLoop(CLIENTS, ms / rounds(ctx.quick), service, sTally));
    if (withPatch) await pCpu.during(() => closedLoop(CLIENTS, ms / rounds(ctx.quick), patcher, pTally));
    await fCpu.during(() => closedLoop(CLIENTS, ms / rounds(ctx.quick), floor, fTally));
  }
  const [s, p, f] = [sTally.result(), pTally.result(), fTally.result()];
  const ratio = round(s.throughput.value! / f.throughput.value!, 2);
  ctx.log(
    `  batch ${batch}, ${label}: service ${s.throughput.value} aspects/s (${s.errors} errors; CPU % of a core: gms ${sCpu.percent().service}, bench ${sCpu.percent().bench}), ` +
      `floor ${f.throughput.value} aspects/s (bench CPU ${fCpu.percent().bench}%), ratio ${ratio}`,
  );
  const target = TARGETS[batch];
  const rows: Row[] = [
    {
      scenario: '1 ingest',
      case: `batch ${batch}, ${CLIENTS} clients, ${label}`,
      figure: s.throughput,
      floor: f.throughput,
      ratio,
      ...(target !== undefined ? { target: `>= ${target}x`, met: ratio >= target } : {}),
    },
  ];
  const data: Record<string, unknown> = { service: { ...s, cpu: sCpu.percent() }, floor: { ...f, cpu: fCpu.percent() } };
  if (withPatch) {
    const pRatio = round(p.throughput.value! / f.throughput.value!, 2);
    ctx.log(
      `  batch ${batch}, ${PATCH_CASE}, ${label}: service ${p.throughput.value} aspects/s (${p.errors} errors${p.firstError ? `, first: ${p.firstError}` : ''}; ` +
        `CPU % of a core: gms ${pCpu.percent().service}, bench ${pCpu.percent().bench}), ratio ${pRatio} to the same floor`,
    );
    // No target of its own; the floor is the upsert cell's (it sends upsert proposals, not patch proposals).
    rows.push({
      scenario: '1 ingest',
      case: `batch ${batch}, ${PATCH_CASE}, ${CLIENTS} clients, ${label}`,
      figure: p.throughput,
      floor: f.throughput,
      ratio: pRatio,
    });
    data.patch = { aspect: 'globalTags', ...p, cpu: pCpu.percent() };
  }
  return { data, rows };
}

const timing = (quick: boolean) => ({ ms: quick ? 1500 : 8000, warmMs: quick ? 300 : 1500 });

/**
 * Scenario 1: aspects accepted per second through POST /openapi/v3/entity/dataset (async, 202), with
 * batches of 1, 10 and 100 aspects from 8 concurrent clients, beside a bare kafkajs producer sending
 * the same MCP messages, one sendBatch per batch, from 8 concurrent loops. `ctx.gms` here is a gms of
 * its own with no consumers, on a topic of its own (NAMES.ingestMcp), which the floor writes to as well.
 * At batch 100, PATCH /openapi/v3/entity/dataset with as many globalTags patches takes a turn in the same
 * rounds, against the same floor.
 */
export async function ingest(ctx: Ctx): Promise<ScenarioResult> {
  const { ms, warmMs } = timing(ctx.quick);
  const rows: Row[] = [];
  const data: Record<string, unknown> = { clients: CLIENTS, durationMs: ms, rounds: rounds(ctx.quick) };
  const { result: cells, rss } = await withRss(ctx.gmsAll, async () => {
    const out: Record<string, unknown> = {};
    for (const batch of [1, 10, 100]) {
      const c = await cell(ctx, batch, ms, warmMs, '1 gms process', batch === 100);
      out[`batch${batch}`] = c.data;
      rows.push(...c.rows);
    }
    return out;
  });
  rows.push({ scenario: '1 ingest', case: 'gms RSS during ingest, 1 process (overall = VmHWM)', figure: rss });
  Object.assign(data, { cells, gmsRss: rss });
  return { rows, data };
}

/** Scenario 1 at batch 100 with `ctx.procs` gms processes' worth (`mode` says how they run), beside the bare producer again. */
export async function ingestScaled(ctx: Ctx, mode: string): Promise<ScenarioResult> {
  const { ms, warmMs } = timing(ctx.quick);
  const label = `${ctx.procs} gms processes`;
  // The processes are new: warm them up longer than the cells of ingest(), which follow each other on one warm gms.
  const { result: c, rss } = await withRss(ctx.gmsAll, () => cell(ctx, 100, ms, warmMs * 4, label));
  return {
    rows: [...c.rows, { scenario: '1 ingest', case: `gms RSS during ingest, ${label}, summed (overall = sum of VmHWM)`, figure: rss }],
    data: { clients: CLIENTS, durationMs: ms, rounds: rounds(ctx.quick), processes: ctx.procs, mode, batch100: c.data, gmsRss: rss },
  };
}
