import { Module } from '@nestjs/common';
import { IngestModule } from '@lib/ingest';
import { EntityController } from './entity.controller';
import { EntityService } from './entity.service';

@Module({
  imports: [IngestModule],
  controllers: [EntityController],
  providers: [EntityService],
})
export class EntityModule {}
