import { Injectable } from '@nestjs/common';
import { Settings } from '@lib/config';
import { withTimeout } from '@lib/common';
import { CheckOutcome, DependencyCheck } from '@lib/health';
import { SqlPool } from './sql.pool';

@Injectable()
export class SqlHealth extends DependencyCheck {
  readonly name = 'mysql';

  constructor(
    private readonly sql: SqlPool,
    private readonly settings: Settings,
  ) {
    super();
  }

  async check(): Promise<CheckOutcome> {
    const [rows] = await withTimeout(this.sql.pool.query('SELECT VERSION() AS version'), this.settings.healthTimeoutMs, 'MySQL');
    return { up: true, details: { version: (rows as { version: string }[])[0]?.version } };
  }
}
