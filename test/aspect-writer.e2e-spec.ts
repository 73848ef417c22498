import { randomBytes } from 'crypto';
import { Connection, RowDataPacket } from 'mysql2/promise';
import { Settings, validateEnv } from '@lib/config';
import { AspectWriter, ProposalRejected, UnstorableProposal, WriteResult } from '@lib/ingest';
import { EntityRegistry, loadEntityRegistry, MetadataChangeProposal } from '@lib/metadata';
import { AspectRepository, SqlPool, SqlSetup } from '@lib/sql';
import { stackEnv } from './support/stack-env';
import { sqlConnection } from './support/stores';

/**
 * The batch writer on the real MariaDB/MySQL: a batch leaves the table exactly as one transaction per
 * proposal does; a row the database refuses fails that proposal alone; concurrent batches over the same
 * aspects lose no version.
 */
describe('AspectWriter on real SQL', () => {
  const run = randomBytes(4).toString('hex');
  let settings: Settings;
  let pools: SqlPool[] = [];
  let conn: Connection;
  let registry: EntityRegistry;

  function writer(batchMaxMessages = 500): AspectWriter {
    const pool = new SqlPool(settings);
    pools.push(pool);
    const s = { ...settings, consumers: { ...settings.consumers, batchMaxMessages } } as Settings;
    return new AspectWriter(pool, new AspectRepository(pool), registry, s);
  }

  const urn = (prefix: string, n: number) => `urn:li:dataset:(urn:li:dataPlatform:hive,aw_${run}_${prefix}_${n},PROD)`;
  const proposal = (u: string, aspect: string, value: unknown, extra: Partial<MetadataChangeProposal> = {}): MetadataChangeProposal => ({
    entityType: 'dataset',
    entityUrn: u,
    changeType: 'UPSERT',
    aspectName: aspect,
    aspect: { value: JSON.stringify(value), contentType: 'application/json' },
    systemMetadata: { runId: 'aw', lastObserved: 1 },
    ...extra,
  });
  const kinds = (rs: WriteResult[]) => rs.map((r) => (r instanceof ProposalRejected ? `${r.name}: ${r.message}` : r.kind));

  async function rowsOf(prefix: string): Promise<string[]> {
    const [rows] = await conn.query<RowDataPacket[]>(
      'SELECT urn, aspect, version, metadata, systemmetadata FROM metadata_aspect_v2 WHERE urn LIKE ? ORDER BY urn, aspect, version',
      [`urn:li:dataset:(urn:li:dataPlatform:hive,aw_${run}_${prefix}_%`],
    );
    // The prefix is in the URN and in the key aspect's value (its name), so it goes from the whole row.
    return rows.map((r) => `${r.urn} ${r.aspect} ${r.version} ${r.metadata} ${r.systemmetadata}`.split(`_${prefix}_`).join('_X_'));
  }

  beforeAll(async () => {
    settings = new Settings(validateEnv({ ...stackEnv() }));
    registry = loadEntityRegistry();
    const setupPool = new SqlPool(settings);
    pools.push(setupPool);
    await new SqlSetup(setupPool).ensure();
    conn = await sqlConnection();
  });

  afterAll(async () => {
    await conn.query('DELETE FROM metadata_aspect_v2 WHERE urn LIKE ?', [`urn:li:dataset:(urn:li:dataPlatform:hive,aw_${run}_%`]);
    await conn.end();
    await Promise.all(pools.map((p) => p.onModuleDestroy()));
    pools = [];
  });

  it('writes a batch exactly as one transaction per proposal would, chunked or not', async () => {
    const now = () => 1_700_000_000_000;
    const values = [0, 1, 1, 2, 0, 0, 3];
    const sequence = (prefix: string) =>
      values.flatMap((v, i) => [
        proposal(urn(prefix, i % 3), 'status', { removed: v % 2 === 1 }),
        proposal(urn(prefix, (i + 1) % 3), 'datasetProperties', { name: `n${v}` }, { headers: { 'If-Version-Match': i === 4 ? '7' : String(v) } }),
      ]);
    const batched = await writer().write(sequence('batch'), undefined, now);
    const chunked = await writer(3).write(sequence('chunk'), undefined, now);
    const single: WriteResult[] = [];
    const one = writer();
    for (const mcp of sequence('single')) single.push(...(await one.write([mcp], undefined, now)));

    expect(kinds(batched)).toEqual(kinds(single));
    expect(kinds(chunked)).toEqual(kinds(single));
    expect(kinds(single)).toContain('updated');
    expect(kinds(single)).toContain('no-op');
    expect(kinds(single).some((k) => k.startsWith('AspectVersionMismatch'))).toBe(true);
    const expected = await rowsOf('single');
    expect(expected.filter((r) => / [1-9]\d* \{/.test(r)).length).toBeGreaterThan(0); // history rows exist
    expect(await rowsOf('batch')).toEqual(expected);
    expect(await rowsOf('chunk')).toEqual(expected);
  });

  it('fails a row the database refuses alone, and writes its neighbours', async () => {
    const tooLong = proposal(urn('refused', 1), 'status', { removed: false }, { created: { time: 1, actor: `urn:li:corpuser:${'x'.repeat(300)}` } });
    const results = await writer().write([
      proposal(urn('refused', 0), 'status', { removed: false }),
      tooLong,
      proposal(urn('refused', 2), 'status', { removed: true }),
    ]);
    expect(kinds(results)[0]).toBe('created');
    expect(results[1]).toBeInstanceOf(UnstorableProposal);
    expect((results[1] as Error).message).toContain('ER_DATA_TOO_LONG');
    expect(kinds(results)[2]).toBe('created');
    const rows = await rowsOf('refused');
    // Each written entity's status and the key aspect its first value brought; nothing of the refused one.
    expect(rows.map((r) => r.split(' ').slice(0, 2).join(' '))).toEqual([
      `urn:li:dataset:(urn:li:dataPlatform:hive,aw_${run}_X_0,PROD) datasetKey`,
      `urn:li:dataset:(urn:li:dataPlatform:hive,aw_${run}_X_0,PROD) status`,
      `urn:li:dataset:(urn:li:dataPlatform:hive,aw_${run}_X_2,PROD) datasetKey`,
      `urn:li:dataset:(urn:li:dataPlatform:hive,aw_${run}_X_2,PROD) status`,
    ]);
  });

  it('loses no version when batches of two writers touch the same aspects at once', async () => {
    const a = writer();
    const b = writer();
    const rounds = 15;
    const batch = (who: string, round: number) => [0, 1, 2, 3].map((n) => proposal(urn('race', n), 'datasetProperties', { name: `${who}-${round}-${n}` }));
    const results = await Promise.all(
      [a, b].map(async (w, i) => {
        const out: WriteResult[] = [];
        for (let r = 0; r < rounds; r++) out.push(...(await w.write(batch(i === 0 ? 'a' : 'b', r))));
        return out;
      }),
    );
    const all = results.flat();
    expect(all.filter((r) => r instanceof Error)).toEqual([]);
    expect(kinds(all).filter((k) => k === 'created')).toHaveLength(4);
    for (let n = 0; n < 4; n++) {
      const [rows] = await conn.query<RowDataPacket[]>('SELECT version, systemmetadata FROM metadata_aspect_v2 WHERE urn = ? AND aspect = ? ORDER BY version', [
        urn('race', n),
        'datasetProperties',
      ]);
      // 2 writers x 15 rounds, all distinct values: 30 versions, the latest (0) plus history 1..29.
      expect(rows.map((r) => Number(r.version))).toEqual(Array.from({ length: 30 }, (_, i) => i));
      expect(JSON.parse(rows[0].systemmetadata).version).toBe('30');
    }
  });
});
