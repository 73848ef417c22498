import { Module } from '@nestjs/common';
import { EntityModule } from '../entity/entity.module';
import { EntitiesActionController } from './entities-action.controller';
import { HardDeleteService } from './hard-delete.service';
import { RestliController } from './restli.controller';
import { RestliService } from './restli.service';

/** The few Rest.li routes DataHub's Python SDK calls (DataHubGraph): its hard deletes, and its reads (GET /aspects, GET /entitiesV2). */
@Module({
  imports: [EntityModule],
  controllers: [EntitiesActionController, RestliController],
  providers: [HardDeleteService, RestliService],
})
export class RestliModule {}
