import { Module } from '@nestjs/common';
import { Settings } from '@lib/config';
import { EntityRegistry } from '@lib/metadata';
import { IngestModule } from '@lib/ingest';
import { TraceModule } from '@lib/trace';
import { ConsumerMonitorModule } from '@lib/kafka';
import { Backpressure } from './backpressure';
import { EntityController } from './entity.controller';
import { EntityDeleteController } from './entity-delete.controller';
import { EntityPatchController } from './entity-patch.controller';
import { EntityService } from './entity.service';
import { WriteRequestReader } from './write-request';

@Module({
  imports: [IngestModule, TraceModule, ConsumerMonitorModule],
  controllers: [EntityController, EntityPatchController, EntityDeleteController],
  providers: [
    EntityService,
    Backpressure,
    {
      provide: WriteRequestReader,
      inject: [EntityRegistry, Settings],
      useFactory: (registry: EntityRegistry, settings: Settings) =>
        new WriteRequestReader(registry, settings.limits.maxBatchAspects, settings.limits.maxAspectBytes),
    },
  ],
  exports: [EntityService, WriteRequestReader],
})
export class EntityModule {}
