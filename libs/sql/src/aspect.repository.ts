import { Injectable } from '@nestjs/common';
import { aspectKey } from '@lib/metadata';
import { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { SqlPool } from './sql.pool';
import { AspectRow, AspectRowHeader, RawAspectRow, toAspectRow, toAspectRowHeader } from './aspect-row';

const COLUMNS = 'urn, aspect, version, metadata, systemmetadata, createdon, createdby, createdfor';

export interface AspectKey {
  urn: string;
  aspect: string;
}

/** A latest row as locked for writing: parsed, and its JSON columns as stored. */
export interface LockedAspectRow extends AspectRow {
  metadataText: string;
  systemMetadataText: string | null;
}

/** A row to write, its JSON columns already serialized. */
export interface StoredAspectRow {
  urn: string;
  aspect: string;
  version: number;
  metadataText: string;
  systemMetadataText: string | null;
  createdOn: Date;
  createdBy: string;
  createdFor: string | null;
}

function pairPredicate(pairs: AspectKey[], extra = ''): string {
  return `(${pairs.map(() => `(urn = ? AND aspect = ? ${extra})`).join(' OR ')})`;
}

function pairParams(pairs: AspectKey[]): string[] {
  return pairs.flatMap((p) => [p.urn, p.aspect]);
}

function rowValues(r: StoredAspectRow): unknown[] {
  return [r.urn, r.aspect, r.version, r.metadataText, r.systemMetadataText, r.createdOn, r.createdBy, r.createdFor];
}

/**
 * Reads and writes metadata_aspect_v2. Version 0 is the latest value; 1..n the history.
 * Every statement is parameterised; nothing user-given is ever spliced into SQL text.
 */
@Injectable()
export class AspectRepository {
  constructor(private readonly sql: SqlPool) {}

  /**
   * The latest rows of many (urn, aspect) pairs in ONE query, locked for the rest of the transaction, with
   * their JSON columns also as stored (a history copy keeps the text byte for byte). Rows are locked in
   * primary-key order, so two transactions locking overlapping sets queue up rather than deadlock.
   */
  async lockLatestMany(conn: PoolConnection, pairs: AspectKey[]): Promise<LockedAspectRow[]> {
    if (pairs.length === 0) return [];
    const [rows] = await conn.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM metadata_aspect_v2 WHERE ${pairPredicate(pairs, 'AND version = 0')} ORDER BY urn, aspect FOR UPDATE`,
      pairParams(pairs),
    );
    return rows.map((r) => ({ ...toAspectRow(r as RawAspectRow), metadataText: r.metadata as string, systemMetadataText: r.systemmetadata as string | null }));
  }

  /** The highest stored version of each pair that has rows, in ONE query (key `urn` + NUL + `aspect`). */
  async maxVersionMany(conn: PoolConnection, pairs: AspectKey[]): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    if (pairs.length === 0) return result;
    const [rows] = await conn.query<RowDataPacket[]>(
      `SELECT urn, aspect, MAX(version) AS v FROM metadata_aspect_v2 WHERE ${pairPredicate(pairs)} GROUP BY urn, aspect`,
      pairParams(pairs),
    );
    for (const r of rows) result.set(aspectKey(r.urn as string, r.aspect as string), Number(r.v));
    return result;
  }

  /** Every aspect with a latest row (tombstones too) of each of these entities, in ONE query. */
  async aspectsOfEntities(conn: PoolConnection, urns: string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (urns.length === 0) return result;
    const [rows] = await conn.query<RowDataPacket[]>('SELECT urn, aspect FROM metadata_aspect_v2 WHERE urn IN (?) AND version = 0', [urns]);
    for (const r of rows) result.set(r.urn as string, [...(result.get(r.urn as string) ?? []), r.aspect as string]);
    return result;
  }

  /** Removes the history (versions >= 1) of these aspects, in ONE statement: a purge keeps only the latest row. */
  async deleteHistoryMany(conn: PoolConnection, pairs: AspectKey[]): Promise<void> {
    if (pairs.length === 0) return;
    await conn.query(`DELETE FROM metadata_aspect_v2 WHERE ${pairPredicate(pairs, 'AND version > 0')}`, pairParams(pairs));
  }

  /**
   * Inserts rows in ONE statement. A row whose key exists already fails the whole statement with
   * ER_DUP_ENTRY (a concurrent writer won the race): the caller's transaction is retried and re-reads.
   */
  async insertMany(conn: PoolConnection, rows: StoredAspectRow[]): Promise<void> {
    if (rows.length === 0) return;
    await conn.query(`INSERT INTO metadata_aspect_v2 (${COLUMNS}) VALUES ?`, [rows.map(rowValues)]);
  }

  /** Overwrites latest rows (version 0) that exist and this transaction holds locked, in ONE statement. */
  async replaceLatestMany(conn: PoolConnection, rows: StoredAspectRow[]): Promise<void> {
    if (rows.length === 0) return;
    await conn.query(
      `INSERT INTO metadata_aspect_v2 (${COLUMNS}) VALUES ?
       ON DUPLICATE KEY UPDATE metadata = VALUES(metadata), systemmetadata = VALUES(systemmetadata),
         createdon = VALUES(createdon), createdby = VALUES(createdby), createdfor = VALUES(createdfor)`,
      [rows.map((r) => rowValues({ ...r, version: 0 }))],
    );
  }

  /** The latest rows of many (urn, aspect) pairs in ONE query. */
  async latestMany(pairs: AspectKey[]): Promise<AspectRow[]> {
    if (pairs.length === 0) return [];
    const [rows] = await this.sql.pool.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM metadata_aspect_v2 WHERE ${pairPredicate(pairs, 'AND version = 0')}`,
      pairParams(pairs),
    );
    return rows.map((r) => toAspectRow(r as RawAspectRow));
  }

  /**
   * The system metadata and time of the latest rows of many (urn, aspect) pairs, in ONE query: what a
   * trace reads, without the aspect values (up to MAX_ASPECT_BYTES each) it has no use for. Through the
   * pool's callback API: the promise API captures a stack trace for every query, which costs more CPU
   * than this query's own parsing.
   */
  latestHeadersMany(pairs: { urn: string; aspect: string }[]): Promise<AspectRowHeader[]> {
    if (pairs.length === 0) return Promise.resolve([]);
    const where = pairs.map(() => '(urn = ? AND aspect = ?)').join(' OR ');
    const params = pairs.flatMap((p) => [p.urn, p.aspect]);
    return new Promise((resolve, reject) =>
      this.sql.pool.pool.query<RowDataPacket[]>(
        `SELECT urn, aspect, systemmetadata, createdon FROM metadata_aspect_v2 WHERE version = 0 AND (${where})`,
        params,
        (err, rows) => (err ? reject(err) : resolve(rows.map((r) => toAspectRowHeader(r as RawAspectRow)))),
      ),
    );
  }

  /** The latest row of every aspect of one entity. */
  async latestOfEntity(urn: string): Promise<AspectRow[]> {
    const [rows] = await this.sql.pool.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM metadata_aspect_v2 WHERE urn = ? AND version = 0 ORDER BY aspect`, [urn]);
    return rows.map((r) => toAspectRow(r as RawAspectRow));
  }

  /**
   * The latest row (version 0) and history row `n` of one aspect, in ONE query, with the highest stored version
   * (what numbers the latest value when its system metadata does not); `maxVersion` is -1 when nothing is stored.
   */
  async latestAndVersion(urn: string, aspect: string, n: number): Promise<{ rows: AspectRow[]; maxVersion: number }> {
    const [rows] = await this.sql.pool.query<RowDataPacket[]>(
      `SELECT ${COLUMNS}, (SELECT MAX(version) FROM metadata_aspect_v2 WHERE urn = ? AND aspect = ?) AS maxversion
       FROM metadata_aspect_v2 WHERE urn = ? AND aspect = ? AND version IN (0, ?)`,
      [urn, aspect, urn, aspect, n],
    );
    return { rows: rows.map((r) => toAspectRow(r as RawAspectRow)), maxVersion: rows.length ? Number(rows[0].maxversion) : -1 };
  }

  /** How many stored values one entity has, every aspect and version, tombstones not counted. */
  async countValues(urn: string): Promise<number> {
    const [rows] = await this.sql.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM metadata_aspect_v2 WHERE urn = ? AND metadata <> 'null'`, [urn]);
    return Number(rows[0]?.n ?? 0);
  }

  /** Every stored version of one aspect, history first (1..n) and the latest (0) last. */
  async versions(urn: string, aspect: string, limit: number): Promise<AspectRow[]> {
    const [rows] = await this.sql.pool.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM metadata_aspect_v2 WHERE urn = ? AND aspect = ? ORDER BY CASE WHEN version = 0 THEN 1 ELSE 0 END, version LIMIT ?`,
      [urn, aspect, Math.max(1, Math.floor(limit))],
    );
    return rows.map((r) => toAspectRow(r as RawAspectRow));
  }
}
