import { PoolConnection } from 'mysql2/promise';
import { SqlPool } from './sql.pool';

const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_DUP_ENTRY']);

/**
 * Runs `work` in one transaction. Deadlocks, lock timeouts and a lost race to insert the same
 * first version are retried a few times: the work re-reads, so a retry sees the winner's row.
 */
export async function inTransaction<T>(sql: SqlPool, work: (conn: PoolConnection) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const conn = await sql.pool.getConnection();
    try {
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
  }
}
