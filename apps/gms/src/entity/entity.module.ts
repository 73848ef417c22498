import { Module } from '@nestjs/common';
import { IngestModule } from '@lib/ingest';
import { TraceModule } from '@lib/trace';
import { EntityController } from './entity.controller';
import { EntityDeleteController } from './entity-delete.controller';
import { EntityPatchController } from './entity-patch.controller';
import { EntityService } from './entity.service';

@Module({
  imports: [IngestModule, TraceModule],
  controllers: [EntityController, EntityPatchController, EntityDeleteController],
  providers: [EntityService],
  exports: [EntityService],
})
export class EntityModule {}
