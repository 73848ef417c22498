import { EntityRegistry } from '@lib/metadata';
import { entityIndex, IndexDefinition, systemMetadataIndex, timeseriesIndex } from './index-definitions';

/** Every index the registry implies: system metadata, one per entity type, one per timeseries aspect. */
export function indexDefinitionsFor(registry: EntityRegistry): IndexDefinition[] {
  const defs: IndexDefinition[] = [systemMetadataIndex];
  for (const name of registry.entityNames()) {
    const entity = registry.entity(name);
    defs.push(entityIndex(entity.indexName));
    for (const aspect of entity.aspects) if (aspect.indexName) defs.push(timeseriesIndex(aspect.indexName));
  }
  return defs;
}
