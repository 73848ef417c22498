import { Injectable } from '@nestjs/common';
import { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { SqlPool } from './sql.pool';
import { AspectRow, AspectRowHeader, RawAspectRow, toAspectRow, toAspectRowHeader } from './aspect-row';

const COLUMNS = 'urn, aspect, version, metadata, systemmetadata, createdon, createdby, createdfor';

export interface NewAspectRow {
  urn: string;
  aspect: string;
  value: unknown;
  systemMetadata: Record<string, unknown>;
  createdOn: Date;
  createdBy: string;
}

/**
 * Reads and writes metadata_aspect_v2. Version 0 is the latest value; 1..n the history.
 * Every statement is parameterised; nothing user-given is ever spliced into SQL text.
 */
@Injectable()
export class AspectRepository {
  constructor(private readonly sql: SqlPool) {}

  /** The latest row, locked for the rest of the transaction. */
  async latestForUpdate(conn: PoolConnection, urn: string, aspect: string): Promise<AspectRow | undefined> {
    const [rows] = await conn.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM metadata_aspect_v2 WHERE urn = ? AND aspect = ? AND version = 0 FOR UPDATE`,
      [urn, aspect],
    );
    return rows.length ? toAspectRow(rows[0] as RawAspectRow) : undefined;
  }

  async maxVersion(conn: PoolConnection, urn: string, aspect: string): Promise<number> {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT MAX(version) AS v FROM metadata_aspect_v2 WHERE urn = ? AND aspect = ?', [urn, aspect]);
    return rows[0]?.v === null || rows[0]?.v === undefined ? -1 : Number(rows[0].v);
  }

  async entityExists(conn: PoolConnection, urn: string): Promise<boolean> {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT 1 AS present FROM metadata_aspect_v2 WHERE urn = ? LIMIT 1', [urn]);
    return rows.length > 0;
  }

  async insert(conn: PoolConnection, row: NewAspectRow, version: number): Promise<void> {
    await conn.query(`INSERT INTO metadata_aspect_v2 (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`, [
      row.urn,
      row.aspect,
      version,
      JSON.stringify(row.value),
      JSON.stringify(row.systemMetadata),
      row.createdOn,
      row.createdBy,
    ]);
  }

  /** Copies the current latest row to history `version` (the previous value stays readable). */
  async copyLatestToHistory(conn: PoolConnection, urn: string, aspect: string, version: number): Promise<void> {
    await conn.query(
      `INSERT INTO metadata_aspect_v2 (${COLUMNS})
       SELECT urn, aspect, ?, metadata, systemmetadata, createdon, createdby, createdfor
       FROM metadata_aspect_v2 WHERE urn = ? AND aspect = ? AND version = 0`,
      [version, urn, aspect],
    );
  }

  async replaceLatest(conn: PoolConnection, row: NewAspectRow): Promise<void> {
    await conn.query(
      'UPDATE metadata_aspect_v2 SET metadata = ?, systemmetadata = ?, createdon = ?, createdby = ?, createdfor = NULL WHERE urn = ? AND aspect = ? AND version = 0',
      [JSON.stringify(row.value), JSON.stringify(row.systemMetadata), row.createdOn, row.createdBy, row.urn, row.aspect],
    );
  }

  /** A no-op write touches only the latest row's system metadata. */
  async updateLatestSystemMetadata(conn: PoolConnection, urn: string, aspect: string, systemMetadata: Record<string, unknown>): Promise<void> {
    await conn.query('UPDATE metadata_aspect_v2 SET systemmetadata = ? WHERE urn = ? AND aspect = ? AND version = 0', [
      JSON.stringify(systemMetadata),
      urn,
      aspect,
    ]);
  }

  /** The latest rows of many (urn, aspect) pairs in ONE query. */
  async latestMany(pairs: { urn: string; aspect: string }[]): Promise<AspectRow[]> {
    if (pairs.length === 0) return [];
    const where = pairs.map(() => '(urn = ? AND aspect = ?)').join(' OR ');
    const params = pairs.flatMap((p) => [p.urn, p.aspect]);
    const [rows] = await this.sql.pool.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM metadata_aspect_v2 WHERE version = 0 AND (${where})`, params);
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

  /** Every stored version of one aspect, history first (1..n) and the latest (0) last. */
  async versions(urn: string, aspect: string, limit: number): Promise<AspectRow[]> {
    const [rows] = await this.sql.pool.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM metadata_aspect_v2 WHERE urn = ? AND aspect = ? ORDER BY CASE WHEN version = 0 THEN 1 ELSE 0 END, version LIMIT ?`,
      [urn, aspect, Math.max(1, Math.floor(limit))],
    );
    return rows.map((r) => toAspectRow(r as RawAspectRow));
  }
}
