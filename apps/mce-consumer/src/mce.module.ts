import { Module } from '@nestjs/common';
import { SettingsModule } from '@lib/config';
import { HealthModule } from '@lib/health';
import { MetricsModule } from '@lib/metrics';
import { RegistryModule } from '@lib/metadata';
import { KafkaHealth, KafkaModule } from '@lib/kafka';
import { SqlHealth, SqlModule } from '@lib/sql';
import { SchemaSetup, SetupModule } from '@lib/setup';
import { MceConsumer, MceConsumerModule } from '@lib/ingest';

/** The MCE consumer process: MCP topic -> SQL -> MCL topic, with health and metrics endpoints. */
@Module({
  imports: [
    SettingsModule,
    MetricsModule,
    RegistryModule,
    KafkaModule,
    SqlModule,
    SetupModule,
    MceConsumerModule,
    HealthModule.register([KafkaHealth, SqlHealth, SchemaSetup, MceConsumer]),
  ],
})
export class MceModule {}
