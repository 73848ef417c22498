import { Injectable } from '@nestjs/common';
import { SqlPool } from './sql.pool';
import { CREATE_METADATA_ASPECT_V2 } from './schema';

/** Creates the aspect table when missing (idempotent). */
@Injectable()
export class SqlSetup {
  constructor(private readonly sql: SqlPool) {}

  async ensure(): Promise<void> {
    await this.sql.pool.query(CREATE_METADATA_ASPECT_V2);
  }
}
