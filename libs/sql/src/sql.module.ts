import { Global, Module } from '@nestjs/common';
import { SqlPool } from './sql.pool';
import { SqlSetup } from './sql-setup';
import { SqlHealth } from './sql.health';
import { AspectRepository } from './aspect.repository';

@Global()
@Module({
  providers: [SqlPool, SqlSetup, SqlHealth, AspectRepository],
  exports: [SqlPool, SqlSetup, SqlHealth, AspectRepository],
})
export class SqlModule {}
