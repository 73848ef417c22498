import { eventually } from './poll';
import { sqlConnection } from './stores';
import { states, traceWrite } from './trace-client';

/** One aspect write of the ingest checks: a datasetProperties value whose description names the write. */
export interface AspectWrite {
  urn: string;
  description: string;
}

/** A write request the service accepted (202): its trace id and the URNs it wrote, in order of acceptance. */
export interface AcceptedBatch {
  traceId: string;
  urns: string[];
  /**
   * The request was sent again after an earlier attempt got no answer (the service was killed): that
   * attempt may have been published all the same, in which case this one wrote values already stored.
   */
  retried?: boolean;
}

/**
 * `count` aspect writes over 3/4 as many URNs named `urn:li:dataset:(urn:li:dataPlatform:hive,<name>.t<i>,PROD)`:
 * every URN a first value, and the first quarter of them a second, different value - 1 or 2 versions each.
 * Send `first` before `second`.
 */
export function twoValueWrites(name: string, count: number): { urns: string[]; first: AspectWrite[]; second: AspectWrite[] } {
  const urns = Array.from({ length: Math.round(count * 0.75) }, (_, i) => `urn:li:dataset:(urn:li:dataPlatform:hive,${name}.t${i},PROD)`);
  return {
    urns,
    first: urns.map((urn) => ({ urn, description: `first ${urn}` })),
    second: urns.slice(0, count - urns.length).map((urn) => ({ urn, description: `second ${urn}` })),
  };
}

/** The batch endpoint's body for these writes. */
export function batchBody(writes: AspectWrite[]): unknown[] {
  return writes.map((w) => ({ urn: w.urn, datasetProperties: { value: { description: w.description, customProperties: {} } } }));
}

/**
 * Every accepted write traces to its final state in both stores: the latest write of a URN ACTIVE_STATE, a
 * write a later one replaced HISTORIC_STATE. A retried request may also be NO_OP in both (its unanswered
 * first attempt stored the same value). Batches are checked `concurrency` at a time, against the services
 * at `urls` in turn.
 */
export async function expectEveryWriteTraced(
  batches: AcceptedBatch[],
  urls: string[],
  options: { timeoutMs?: number; concurrency?: number } = {},
): Promise<void> {
  const latestTrace = new Map<string, string>();
  for (const b of batches) for (const urn of b.urns) latestTrace.set(urn, b.traceId);
  let next = 0;
  const worker = async (w: number) => {
    for (let i = next++; i < batches.length; i = next++) {
      const b = batches[i];
      const body = Object.fromEntries(b.urns.map((u) => [u, ['datasetProperties']]));
      const allowed = (u: string) => [
        latestTrace.get(u) === b.traceId ? 'ACTIVE_STATE/ACTIVE_STATE' : 'HISTORIC_STATE/HISTORIC_STATE',
        ...(b.retried ? ['NO_OP/NO_OP'] : []),
      ];
      await eventually(
        () => traceWrite(urls[(i + w) % urls.length], b.traceId, body, { skipCache: true }),
        (r) => r.status === 200 && b.urns.every((u) => allowed(u).includes(states(r.body, u, 'datasetProperties'))),
        options.timeoutMs ?? 120000,
        1000,
      );
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 1 }, (_, w) => worker(w)));
}

/**
 * SQL holds exactly one version per distinct value written, for every URN written: nothing lost, nothing
 * doubled (the latest is version 0, the others history rows). `urnLike` is a LIKE pattern matching exactly
 * the URNs of `writes`.
 * `othersMayExist`: rows of URNs not in `writes` may match `urnLike` (requests answered 503, which may still
 * have been queued) and are not counted.
 */
export async function expectOneVersionPerValue(urnLike: string, writes: AspectWrite[], othersMayExist = false): Promise<void> {
  const sql = await sqlConnection();
  try {
    const [rows] = await sql.query(
      "SELECT urn, COUNT(*) AS versions, COUNT(DISTINCT metadata) AS distinct_values FROM metadata_aspect_v2 WHERE urn LIKE ? AND aspect = 'datasetProperties' GROUP BY urn",
      [urnLike],
    );
    const byUrn = new Map((rows as { urn: string; versions: number; distinct_values: number }[]).map((r) => [r.urn, r]));
    const valuesPerUrn = new Map<string, Set<string>>();
    for (const w of writes) valuesPerUrn.set(w.urn, (valuesPerUrn.get(w.urn) ?? new Set()).add(w.description));
    if (!othersMayExist) expect(byUrn.size).toBe(valuesPerUrn.size);
    for (const [urn, values] of valuesPerUrn) {
      expect({ urn, versions: Number(byUrn.get(urn)?.versions) }).toEqual({ urn, versions: values.size });
      expect(Number(byUrn.get(urn)?.distinct_values)).toBe(values.size);
    }
  } finally {
    await sql.end();
  }
}
