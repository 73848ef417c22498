import { loadEntityRegistry } from '@lib/metadata';
import { AspectChange } from './aspect-change';
import { EntityDocumentRepository } from './entity-document.repository';
import { ENTITY_UPSERT_SCRIPT } from './entity-upsert.script';
import { FakeSearchClient } from './testing/fake-search-client';

const registry = loadEntityRegistry();
const A = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.a,PROD)';
const B = 'urn:li:corpuser:jdoe';

function change(entityType: string, urn: string, aspect: string, value: Record<string, unknown>, version?: string): AspectChange {
  return { entityType, urn, aspect, value, systemMetadata: { lastObserved: 1000, runId: 'r', ...(version !== undefined ? { version } : {}) } };
}

describe('EntityDocumentRepository.upsertOperations', () => {
  const repo = new EntityDocumentRepository(new FakeSearchClient().asSearchClient(), registry);

  it('makes one scripted upsert per URN, into its entity index, with the changes in log order', () => {
    const ops = repo.upsertOperations([
      change('dataset', A, 'status', { removed: false }, '1'),
      change('corpuser', B, 'corpUserInfo', { active: true, displayName: 'J' }, '3'),
      change('dataset', A, 'datasetProperties', { name: 'a', description: 'd' }, '2'),
    ]);
    expect(ops.map((o) => o.action)).toEqual([
      { update: { _index: 't_datasetindex_v2', _id: A, retry_on_conflict: 3 } },
      { update: { _index: 't_corpuserindex_v2', _id: B, retry_on_conflict: 3 } },
    ]);
    expect(ops[0].label).toBe(`entity ${A} status,datasetProperties`);
    expect(ops[0].document).toEqual({
      script: {
        lang: 'painless',
        source: ENTITY_UPSERT_SCRIPT,
        params: {
          urn: A,
          entityType: 'dataset',
          keyAspect: 'datasetKey',
          changes: [
            { aspect: 'status', value: { removed: false }, deleted: false, version: 1, lastObserved: 1000, fields: { removed: false } },
            {
              aspect: 'datasetProperties',
              value: { name: 'a', description: 'd' },
              deleted: false,
              version: 2,
              lastObserved: 1000,
              fields: { name: 'a', description: 'd' },
            },
          ],
        },
      },
      scripted_upsert: true,
      upsert: {},
    });
  });

  it('passes no version when the change log has none or it is not a number', () => {
    const [op] = repo.upsertOperations([change('dataset', A, 'status', {}), change('dataset', A, 'ownership', { owners: [] }, 'x')]);
    const changes = (op.document.script as { params: { changes: { version: unknown }[] } }).params.changes;
    expect(changes.map((c) => c.version)).toEqual([null, null]);
  });

  it('makes nothing of nothing', () => {
    expect(repo.upsertOperations([])).toEqual([]);
  });
});
