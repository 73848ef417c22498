import { Module } from '@nestjs/common';
import { SettingsModule } from '@lib/config';
import { HealthModule } from '@lib/health';
import { MetricsModule } from '@lib/metrics';
import { RegistryModule } from '@lib/metadata';
import { KafkaHealth, KafkaModule } from '@lib/kafka';
import { SearchHealth, SearchModule } from '@lib/search';
import { SchemaSetup, SetupModule } from '@lib/setup';
import { MaeConsumer, MaeConsumerModule } from '@lib/indexing';

/** The MAE consumer process: MCL topics -> OpenSearch, with health and metrics endpoints. */
@Module({
  imports: [
    SettingsModule,
    MetricsModule,
    RegistryModule,
    KafkaModule,
    SearchModule,
    SetupModule,
    MaeConsumerModule,
    HealthModule.register([KafkaHealth, SearchHealth, SchemaSetup, MaeConsumer]),
  ],
})
export class MaeModule {}
