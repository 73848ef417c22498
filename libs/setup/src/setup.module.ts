import { Global, Module } from '@nestjs/common';
import { EntityRegistry } from '@lib/metadata';
import { indexDefinitionsFor } from '@lib/search';
import { INDEX_DEFINITIONS, SchemaSetup } from './schema-setup';

/** Schema setup for whatever stores this process uses (the lib modules it imports). */
@Global()
@Module({
  providers: [SchemaSetup, { provide: INDEX_DEFINITIONS, inject: [EntityRegistry], useFactory: indexDefinitionsFor }],
  exports: [SchemaSetup],
})
export class SetupModule {}
