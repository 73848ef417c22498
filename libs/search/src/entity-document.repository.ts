import { Injectable } from '@nestjs/common';
import { EntityRegistry } from '@lib/metadata';
import { AspectChange } from './aspect-change';
import { BulkOperation } from './bulk-writer';
import { searchableFields } from './entity-fields';
import { ENTITY_UPSERT_SCRIPT } from './entity-upsert.script';
import { SearchClient } from './search.client';

/** The entity's search document (id = URN): the latest value of each aspect plus searchable fields. */
@Injectable()
export class EntityDocumentRepository {
  constructor(
    private readonly search: SearchClient,
    private readonly registry: EntityRegistry,
  ) {}

  /**
   * One scripted upsert per URN carrying all of its changes in log order (see ENTITY_UPSERT_SCRIPT for
   * why a script). retry_on_conflict covers two consumers briefly sharing a partition during a rebalance.
   */
  upsertOperations(changes: AspectChange[]): BulkOperation[] {
    const byUrn = new Map<string, AspectChange[]>();
    for (const change of changes) byUrn.set(change.urn, [...(byUrn.get(change.urn) ?? []), change]);
    return [...byUrn.values()].map((group) => {
      const { urn, entityType } = group[0];
      return {
        action: { update: { _index: this.search.index(this.registry.entity(entityType).indexName), _id: urn, retry_on_conflict: 3 } },
        document: {
          script: {
            lang: 'painless',
            source: ENTITY_UPSERT_SCRIPT,
            params: { urn, entityType, keyAspect: this.registry.entity(entityType).keyAspect, changes: group.map(toScriptChange) },
          },
          scripted_upsert: true,
          upsert: {},
        },
        label: `entity ${urn} ${group.map((c) => c.aspect).join(',')}`,
        changes: group,
      };
    });
  }
}

function toScriptChange(change: AspectChange): Record<string, unknown> {
  const version = Number(change.systemMetadata.version);
  return {
    aspect: change.aspect,
    value: change.value,
    deleted: change.value === null,
    version: change.systemMetadata.version !== undefined && Number.isInteger(version) ? version : null,
    lastObserved: change.systemMetadata.lastObserved,
    // A deleted aspect clears the fields it owned.
    fields: searchableFields(change.aspect, change.value ?? {}),
  };
}
