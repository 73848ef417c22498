import { PoolConnection } from 'mysql2/promise';
import { SqlPool } from './sql.pool';

const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_DUP_ENTRY']);

/**
 * Runs `work` in one READ COMMITTED transaction. Under MySQL's default REPEATABLE READ, locking a row
 * that does not exist yet takes a gap lock, and concurrent first writes of *different* URNs then
 * deadlock on each other's gaps; READ COMMITTED locks only rows that exist. What remains - a lost race
 * to insert the same first version, a deadlock, a lock timeout - is retried after a short pause: the
 * work re-reads, so a retry sees the winner's row.
 */
export async function inTransaction<T>(sql: SqlPool, work: (conn: PoolConnection) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const conn = await sql.pool.getConnection();
    try {
      await conn.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await conn.beginTransaction();
      const result = await work(conn);
      await conn.commit();
      return result;
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      if (attempt >= attempts || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
    } finally {
      conn.release();
    }
    await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
  }
}
