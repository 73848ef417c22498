import { Global, Module } from '@nestjs/common';
import { SqlPool } from './sql.pool';
import { SqlSetup } from './sql-setup';
import { SqlHealth } from './sql.health';

@Global()
@Module({
  providers: [SqlPool, SqlSetup, SqlHealth],
  exports: [SqlPool, SqlSetup, SqlHealth],
})
export class SqlModule {}
