import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { Settings, SettingsModule } from '@lib/config';
import { DependencyCheck, HealthModule } from '@lib/health';
import { MetricsModule } from '@lib/metrics';
import { RegistryModule } from '@lib/metadata';
import { KafkaHealth, KafkaModule } from '@lib/kafka';
import { SqlHealth, SqlModule } from '@lib/sql';
import { SearchHealth, SearchModule } from '@lib/search';
import { SchemaSetup, SetupModule } from '@lib/setup';
import { MceConsumer, MceConsumerModule } from '@lib/ingest';
import { MaeConsumer, MaeConsumerModule } from '@lib/indexing';
import { EntityModule } from './entity/entity.module';
import { RestliModule } from './restli/restli.module';
import { AuthModule } from './auth/auth.module';
import { TraceApiModule } from './trace/trace-api.module';
import { ConsumersModule } from './consumers/consumers.module';
import { OtlpModule } from './otlp/otlp.module';
import { TracePageModule } from './trace-page/trace-page.module';
import { ServerConfigModule } from './server-config/server-config.module';
import { DomainErrorsFilter } from './http/domain-errors.filter';
import { QueryDtoPipe } from './http/query';

/**
 * The HTTP service. With RUN_CONSUMERS it also hosts the MCE and/or MAE consumer in the same
 * process (the quickstart); in production they run as their own apps.
 */
@Module({})
export class GmsModule {
  static register(settings: Settings): DynamicModule {
    const imports: DynamicModule['imports'] = [
      SettingsModule,
      MetricsModule,
      RegistryModule,
      KafkaModule,
      SqlModule,
      SearchModule,
      SetupModule,
      AuthModule,
      EntityModule,
      RestliModule,
      TraceApiModule,
      ConsumersModule,
      OtlpModule,
      TracePageModule,
      ServerConfigModule,
    ];
    const checks: Type<DependencyCheck>[] = [KafkaHealth, SqlHealth, SearchHealth, SchemaSetup];
    if (settings.embeddedConsumers.includes('mce')) {
      imports.push(MceConsumerModule);
      checks.push(MceConsumer);
    }
    if (settings.embeddedConsumers.includes('mae')) {
      imports.push(MaeConsumerModule);
      checks.push(MaeConsumer);
    }
    imports.push(HealthModule.register(checks));
    // Global: every route's query DTO is validated (QueryDtoPipe touches nothing else), and every domain error
    // becomes its HTTP answer in one place (DomainErrorsFilter).
    const providers = [
      { provide: APP_PIPE, useClass: QueryDtoPipe },
      { provide: APP_FILTER, useClass: DomainErrorsFilter },
    ];
    return { module: GmsModule, imports, providers };
  }
}
