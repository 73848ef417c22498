import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { createPool, Pool } from 'mysql2/promise';
import { Settings } from '@lib/config';
import { mysqlConnectionOptions } from './sql-connection';

/**
 * The one MySQL connection pool. Connections are made on first use, so a database that is down at
 * start-up does not stop the process. BIGINTs come back as strings, times in UTC.
 */
@Injectable()
export class SqlPool implements OnModuleDestroy {
  readonly pool: Pool;

  constructor(settings: Settings) {
    const m = settings.mysql;
    this.pool = createPool({
      ...mysqlConnectionOptions(m),
      connectionLimit: m.poolSize,
      connectTimeout: 5000,
      supportBigNumbers: true,
      bigNumberStrings: true,
      timezone: 'Z',
      charset: 'utf8mb4',
      enableKeepAlive: true,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
