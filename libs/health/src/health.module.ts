import { DynamicModule, Module, Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DependencyCheck } from './dependency-check';
import { DEPENDENCY_CHECKS, HealthController } from './health.controller';

/**
 * `GET /health` over the given checks. The checks are provided (and exported) by the modules that
 * own them - Kafka, SQL, search, setup, each consumer - so the health module never makes a second instance.
 */
@Module({})
export class HealthModule {
  static register(checks: Type<DependencyCheck>[]): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty', logger: false })],
      controllers: [HealthController],
      providers: [{ provide: DEPENDENCY_CHECKS, inject: checks, useFactory: (...all: DependencyCheck[]) => all }],
    };
  }
}
