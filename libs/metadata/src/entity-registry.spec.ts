import { EntityRegistry, RegistryLookupError } from './entity-registry';
import { entityIndexName, timeseriesIndexName } from './index-names';
import { loadEntityRegistry } from './registry-loader';

const registry: EntityRegistry = loadEntityRegistry();

describe('default registry contents', () => {
  it.each([
    ['dataset', 'datasetKey', 'datasetProperties'],
    ['chart', 'chartKey', 'chartInfo'],
    ['dashboard', 'dashboardKey', 'dashboardInfo'],
    ['dataJob', 'dataJobKey', 'dataJobInfo'],
    ['dataFlow', 'dataFlowKey', 'dataFlowInfo'],
    ['corpuser', 'corpUserKey', 'corpUserInfo'],
    ['corpGroup', 'corpGroupKey', 'corpGroupInfo'],
    ['tag', 'tagKey', 'tagProperties'],
    ['glossaryTerm', 'glossaryTermKey', 'glossaryTermInfo'],
    ['domain', 'domainKey', 'domainProperties'],
  ])('%s has key aspect %s first and info aspect %s', (entity, keyAspect, info) => {
    const spec = registry.entity(entity);
    expect(spec.keyAspect).toBe(keyAspect);
    expect(spec.aspects[0]).toMatchObject({ name: keyAspect, kind: 'versioned' });
    expect(registry.aspectNames(entity)).toContain(info);
    expect(spec.indexName).toBe(`${entity.toLowerCase()}index_v2`);
  });

  it('dataset has the aspects the write and trace paths use', () => {
    expect(registry.aspectNames('dataset')).toEqual(
      expect.arrayContaining([
        'status',
        'datasetProperties',
        'ownership',
        'globalTags',
        'glossaryTerms',
        'schemaMetadata',
        'upstreamLineage',
        'datasetProfile',
        'operation',
      ]),
    );
  });

  it.each(['chart', 'dashboard', 'dataJob', 'dataFlow', 'corpGroup', 'tag', 'glossaryTerm'])('%s has status and ownership', (entity) =>
    expect(registry.aspectNames(entity)).toEqual(expect.arrayContaining(['status', 'ownership'])),
  );

  it('marks timeseries aspects and gives them DataHub-style index names', () => {
    expect(registry.isTimeseries('dataset', 'datasetProfile')).toBe(true);
    expect(registry.isTimeseries('dataset', 'operation')).toBe(true);
    expect(registry.isTimeseries('dataset', 'status')).toBe(false);
    expect(registry.isTimeseries('dataset', 'nope')).toBe(false);
    expect(registry.aspect('dataset', 'datasetProfile').indexName).toBe('dataset_datasetprofileaspect_v1');
    expect(registry.aspect('dataset', 'operation').indexName).toBe('dataset_operationaspect_v1');
    expect(registry.aspect('dataset', 'status').indexName).toBeUndefined();
    expect(registry.entity('dataset').indexName).toBe('datasetindex_v2');
    expect(registry.entity('corpuser').indexName).toBe('corpuserindex_v2');
    expect(registry.entity('dataJob').indexName).toBe('datajobindex_v2');
  });
});

describe('index names', () => {
  it('lowercase the names, as DataHub does', () => {
    expect(entityIndexName('glossaryTerm')).toBe('glossarytermindex_v2');
    expect(timeseriesIndexName('dataJob', 'dataProcessInstanceRunEvent')).toBe('datajob_dataprocessinstanceruneventaspect_v1');
  });
});

describe('lookups', () => {
  it('entity names are exact', () => {
    expect(registry.findEntity('dataset')?.name).toBe('dataset');
    expect(registry.findEntity('Dataset')).toBeUndefined();
    expect(() => registry.entity('Dataset')).toThrow(RegistryLookupError);
    expect(() => registry.entity('Dataset')).toThrow('unknown entity type "Dataset"');
    expect(() => registry.aspectNames('nope')).toThrow(RegistryLookupError);
  });

  it('aspect names are exact in aspect/findAspect', () => {
    expect(registry.findAspect('dataset', 'datasetProperties')?.kind).toBe('versioned');
    expect(registry.findAspect('dataset', 'DatasetProperties')).toBeUndefined();
    expect(registry.findAspect('nope', 'status')).toBeUndefined();
    expect(() => registry.aspect('dataset', 'chartInfo')).toThrow('entity "dataset" has no aspect "chartInfo"');
  });

  it.each([
    ['datasetProperties', 'datasetProperties'],
    ['DatasetProperties', 'datasetProperties'],
    ['DATASETPROFILE', 'datasetProfile'],
    ['status', 'status'],
    ['chartInfo', undefined],
    ['nope', undefined],
    ['', undefined],
  ])('resolveAspectName(dataset, %j) = %j', (name, expected) => {
    expect(registry.resolveAspectName('dataset', name)).toBe(expected);
  });

  it('resolveAspectName is undefined for an unknown entity', () => {
    expect(registry.resolveAspectName('Dataset', 'status')).toBeUndefined();
  });

  it('resolveAspectName prefers the exact spelling', () => {
    const r = new EntityRegistry({
      name: 't',
      version: '1',
      aspects: {
        thingKey: { kind: 'versioned', schema: {} },
        thingInfo: { kind: 'versioned', schema: {} },
      },
      entities: [{ name: 'thing', keyAspect: 'thingKey', aspects: ['thingInfo'] }],
    });
    expect(r.resolveAspectName('thing', 'thingInfo')).toBe('thingInfo');
    expect(r.resolveAspectName('thing', 'THINGINFO')).toBe('thingInfo');
    expect(r.aspectNames('thing')).toEqual(['thingKey', 'thingInfo']);
  });

  it('validateAspect matches names exactly and says what is unknown', () => {
    expect(registry.validateAspect('Dataset', 'status', { removed: false })).toEqual({
      ok: false,
      error: ['unknown entity type "Dataset"'],
    });
    expect(registry.validateAspect('dataset', 'Status', { removed: false })).toEqual({
      ok: false,
      error: ['entity "dataset" has no aspect "Status"'],
    });
    expect(registry.validateAspect('domain', 'status', { removed: false })).toEqual({
      ok: false,
      error: ['entity "domain" has no aspect "status"'],
    });
  });
});
