import { Module } from '@nestjs/common';
import { SettingsModule } from '@lib/config';
import { HealthModule } from '@lib/health';
import { RegistryModule } from '@lib/metadata';
import { KafkaHealth, KafkaModule } from '@lib/kafka';
import { SearchHealth, SearchModule } from '@lib/search';
import { SchemaSetup, SetupModule } from '@lib/setup';
import { MaeConsumer, MaeConsumerModule } from '@lib/indexing';

/** The MAE consumer process: MCL topics -> OpenSearch, with a health endpoint. */
@Module({
  imports: [
    SettingsModule,
    RegistryModule,
    KafkaModule,
    SearchModule,
    SetupModule,
    MaeConsumerModule,
    HealthModule.register([KafkaHealth, SearchHealth, SchemaSetup, MaeConsumer]),
  ],
})
export class MaeModule {}
