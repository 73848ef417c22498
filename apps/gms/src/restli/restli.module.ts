import { Module } from '@nestjs/common';
import { EntityModule } from '../entity/entity.module';
import { EntitiesActionController } from './entities-action.controller';
import { HardDeleteService } from './hard-delete.service';

/** The few Rest.li routes DataHub's Python SDK calls (DataHubGraph): its hard deletes. */
@Module({
  imports: [EntityModule],
  controllers: [EntitiesActionController],
  providers: [HardDeleteService],
})
export class RestliModule {}
