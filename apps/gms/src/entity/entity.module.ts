import { Module } from '@nestjs/common';
import { IngestModule } from '@lib/ingest';
import { EntityController } from './entity.controller';
import { EntityPatchController } from './entity-patch.controller';
import { EntityService } from './entity.service';

@Module({
  imports: [IngestModule],
  controllers: [EntityController, EntityPatchController],
  providers: [EntityService],
})
export class EntityModule {}
