import { DynamicModule, Global, Module } from '@nestjs/common';
import { IndexDefinition } from '@lib/search';
import { INDEX_DEFINITIONS, SchemaSetup } from './schema-setup';

/** Schema setup for whatever stores this process uses (the lib modules it imports). */
@Global()
@Module({})
export class SetupModule {
  static register(indices: IndexDefinition[] = []): DynamicModule {
    return {
      module: SetupModule,
      providers: [SchemaSetup, { provide: INDEX_DEFINITIONS, useValue: indices }],
      exports: [SchemaSetup],
    };
  }
}
