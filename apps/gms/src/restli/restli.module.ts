import { Module } from '@nestjs/common';
import { RestliController } from './restli.controller';
import { RestliService } from './restli.service';

/** The rest.li reads of DataHub's Python SDK (GET /aspects, GET /entitiesV2). */
@Module({
  controllers: [RestliController],
  providers: [RestliService],
})
export class RestliModule {}
