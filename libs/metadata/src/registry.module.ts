import { Global, Module } from '@nestjs/common';
import { Settings } from '@lib/config';
import { EntityRegistry } from './entity-registry';
import { loadEntityRegistry } from './registry-loader';

/** The entity registry, loaded and checked once at start-up (a bad registry file stops the process). */
@Global()
@Module({
  providers: [{ provide: EntityRegistry, inject: [Settings], useFactory: (s: Settings) => loadEntityRegistry(s.entityRegistryPath) }],
  exports: [EntityRegistry],
})
export class RegistryModule {}
