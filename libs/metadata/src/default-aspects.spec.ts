import { loadEntityRegistry } from './registry-loader';

/**
 * Aspect values shaped as DataHub clients (the Python SDK, the OpenAPI v3 examples) send them must validate
 * unchanged; broken ones must fail naming the field.
 */
const registry = loadEntityRegistry();

const ACTOR = 'urn:li:corpuser:datahub';
const STAMP = { time: 1700000000000, actor: ACTOR };
const HIVE_TABLE = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.table,PROD)';
const CHANGE_STAMPS = { created: STAMP, lastModified: STAMP };

describe('DataHub-shaped payloads validate', () => {
  it.each<[string, string, unknown]>([
    ['dataset', 'datasetKey', { platform: 'urn:li:dataPlatform:hive', name: 'db.table', origin: 'PROD' }],
    ['dataset', 'status', { removed: false }],
    ['dataset', 'status', {}],
    [
      'dataset',
      'datasetProperties',
      {
        name: 'table',
        qualifiedName: 'db.table',
        description: 'Orders',
        customProperties: { owner_team: 'sales', 'retention.days': '30' },
        externalUrl: 'https://example.com/t',
        created: { time: 1 },
        lastModified: { time: 2, actor: ACTOR },
        tags: [],
      },
    ],
    ['dataset', 'datasetProperties', { description: 'fields from a newer DataHub are tolerated', someFutureField: 1 }],
    ['dataset', 'glossaryTerms', { terms: [{ urn: 'urn:li:glossaryTerm:Classification.PII' }], auditStamp: STAMP }],
    ['dataset', 'glossaryTerms', { terms: [], auditStamp: { ...STAMP, impersonator: 'urn:li:corpuser:admin' } }],
    [
      'dataset',
      'ownership',
      {
        owners: [
          { owner: 'urn:li:corpuser:jdoe', type: 'TECHNICAL_OWNER', typeUrn: 'urn:li:ownershipType:__system__technical_owner' },
          { owner: 'urn:li:corpGroup:data-eng', type: 'DATAOWNER', source: { type: 'MANUAL' } },
        ],
        ownerTypes: { 'urn:li:ownershipType:__system__technical_owner': ['urn:li:corpuser:jdoe'] },
        lastModified: { time: 0, actor: 'urn:li:corpuser:unknown' },
      },
    ],
    ['dataset', 'globalTags', { tags: [{ tag: 'urn:li:tag:pii' }, { tag: 'urn:li:tag:gold', context: 'ui' }] }],
    [
      'dataset',
      'schemaMetadata',
      {
        schemaName: 'db.table',
        platform: 'urn:li:dataPlatform:hive',
        version: 0,
        created: STAMP,
        lastModified: STAMP,
        hash: '',
        platformSchema: { 'com.linkedin.schema.MySqlDDL': { tableSchema: '' } },
        fields: [
          {
            fieldPath: 'id',
            type: { type: { 'com.linkedin.schema.NumberType': {} } },
            nativeDataType: 'bigint',
            nullable: false,
            description: 'primary key',
            isPartOfKey: true,
            globalTags: { tags: [{ tag: 'urn:li:tag:key' }] },
          },
        ],
      },
    ],
    [
      'dataset',
      'upstreamLineage',
      {
        upstreams: [
          {
            dataset: 'urn:li:dataset:(urn:li:dataPlatform:hive,db.src,PROD)',
            type: 'TRANSFORMED',
            auditStamp: { time: 0, actor: 'urn:li:corpuser:unknown' },
          },
        ],
        fineGrainedLineages: [
          {
            upstreamType: 'FIELD_SET',
            upstreams: ['urn:li:schemaField:(urn:li:dataset:(urn:li:dataPlatform:hive,db.src,PROD),id)'],
            downstreamType: 'FIELD',
            downstreams: [`urn:li:schemaField:(${HIVE_TABLE},id)`],
            confidenceScore: 1.0,
          },
        ],
      },
    ],
    [
      'dataset',
      'datasetProfile',
      {
        timestampMillis: 1700000000000,
        eventGranularity: { unit: 'DAY', multiple: 1 },
        partitionSpec: { partition: 'FULL_TABLE_SNAPSHOT', type: 'FULL_TABLE' },
        rowCount: 1000,
        columnCount: 2,
        fieldProfiles: [{ fieldPath: 'id', uniqueCount: 1000, uniqueProportion: 1, nullCount: 0, min: '1', max: '1000', sampleValues: ['1', '2'] }],
      },
    ],
    ['dataset', 'datasetProfile', { timestampMillis: 1700000000000, rowCount: 5 }],
    [
      'dataset',
      'operation',
      {
        timestampMillis: 1700000000000,
        operationType: 'INSERT',
        lastUpdatedTimestamp: 1699999999000,
        actor: ACTOR,
        numAffectedRows: 10,
        customProperties: { query: 'insert ...' },
      },
    ],
    ['dataset', 'operation', { timestampMillis: 1, operationType: 'CUSTOM', customOperationType: 'MERGE', lastUpdatedTimestamp: 1 }],
    ['chart', 'chartKey', { dashboardTool: 'looker', chartId: '42' }],
    ['chart', 'chartInfo', { title: 'Sales', description: '', lastModified: CHANGE_STAMPS, inputs: [{ string: HIVE_TABLE }], type: 'BAR' }],
    ['dashboard', 'dashboardKey', { dashboardTool: 'looker', dashboardId: '7' }],
    ['dashboard', 'dashboardInfo', { title: 'Overview', description: 'd', lastModified: CHANGE_STAMPS, charts: ['urn:li:chart:(looker,42)'] }],
    ['dataFlow', 'dataFlowKey', { orchestrator: 'airflow', flowId: 'dag', cluster: 'PROD' }],
    ['dataFlow', 'dataFlowInfo', { name: 'dag', project: 'p', customProperties: { schedule: '@daily' } }],
    ['dataJob', 'dataJobKey', { flow: 'urn:li:dataFlow:(airflow,dag,PROD)', jobId: 'task' }],
    ['dataJob', 'dataJobInfo', { name: 'task', type: 'COMMAND' }],
    ['dataJob', 'dataJobInfo', { name: 'task', type: { string: 'SQL' }, flowUrn: 'urn:li:dataFlow:(airflow,dag,PROD)' }],
    ['corpuser', 'corpUserKey', { username: 'jdoe' }],
    ['corpuser', 'corpUserInfo', { active: true, displayName: 'J Doe', email: 'jdoe@example.com', managerUrn: 'urn:li:corpuser:boss' }],
    ['corpGroup', 'corpGroupKey', { name: 'data-eng' }],
    ['corpGroup', 'corpGroupInfo', { displayName: 'Data Eng', admins: [], members: ['urn:li:corpuser:jdoe'], groups: [] }],
    ['tag', 'tagKey', { name: 'pii' }],
    ['tag', 'tagProperties', { name: 'PII', colorHex: '#ff0000' }],
    ['glossaryTerm', 'glossaryTermKey', { name: 'Classification.PII' }],
    ['glossaryTerm', 'glossaryTermInfo', { definition: 'Personal data', termSource: 'INTERNAL', name: 'PII' }],
    ['domain', 'domainKey', { id: 'marketing' }],
    ['domain', 'domainProperties', { name: 'Marketing', parentDomain: 'urn:li:domain:company' }],
  ])('%s %s %#', (entity, aspect, value) => {
    expect(registry.validateAspect(entity, aspect, value)).toEqual({ ok: true, value: undefined });
  });
});

describe('broken payloads fail naming the field', () => {
  it.each<[string, string, unknown, string[]]>([
    ['dataset', 'status', { removed: 'yes' }, ['status.removed must be boolean']],
    ['dataset', 'status', 'removed', ['status must be object']],
    ['dataset', 'status', null, ['status must be object']],
    ['dataset', 'glossaryTerms', { terms: [{ urn: 'urn:li:glossaryTerm:x' }] }, ['glossaryTerms.auditStamp is required']],
    [
      'dataset',
      'glossaryTerms',
      { terms: [{ urn: 'PII' }, {}], auditStamp: { time: 'now', actor: ACTOR } },
      ['glossaryTerms.terms[0].urn must match format "urn"', 'glossaryTerms.terms[1].urn is required', 'glossaryTerms.auditStamp.time must be integer'],
    ],
    ['dataset', 'datasetProfile', { rowCount: 10 }, ['datasetProfile.timestampMillis is required']],
    ['dataset', 'datasetProfile', { timestampMillis: 1, rowCount: '10' }, ['datasetProfile.rowCount must be integer']],
    ['dataset', 'datasetProfile', { timestampMillis: 1e300 }, ['datasetProfile.timestampMillis must be <= 9007199254740991']],
    ['dataset', 'datasetProfile', { timestampMillis: -1e20 }, ['datasetProfile.timestampMillis must be >= -9007199254740991']],
    ['dataset', 'datasetProfile', { timestampMillis: 1, fieldProfiles: [{ nullCount: 1 }] }, ['datasetProfile.fieldProfiles[0].fieldPath is required']],
    ['dataset', 'datasetProperties', { customProperties: { 'retention.days': 30 } }, ['datasetProperties.customProperties["retention.days"] must be string']],
    ['dataset', 'ownership', { owners: [{ owner: 'jdoe', type: 'DATAOWNER' }] }, ['ownership.owners[0].owner must match format "urn"']],
    ['dataset', 'ownership', { owners: [{ owner: 'urn:li:corpuser:jdoe' }] }, ['ownership.owners[0].type is required']],
    ['dataset', 'globalTags', { tags: 'pii' }, ['globalTags.tags must be array']],
    [
      'dataset',
      'operation',
      { timestampMillis: 1, operationType: 'UPSERT' },
      [
        'operation.lastUpdatedTimestamp is required',
        'operation.operationType must be one of "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "CUSTOM", "UNKNOWN"',
      ],
    ],
    [
      'dataset',
      'schemaMetadata',
      { schemaName: 's', platform: 'urn:li:dataPlatform:hive', version: 0, hash: '', platformSchema: {}, fields: [{ fieldPath: 'id', type: {} }] },
      ['schemaMetadata.fields[0].nativeDataType is required', 'schemaMetadata.fields[0].type.type is required'],
    ],
    [
      'dataset',
      'upstreamLineage',
      { upstreams: [{ dataset: HIVE_TABLE, type: 'MAGIC' }] },
      ['upstreamLineage.upstreams[0].type must be one of "COPY", "TRANSFORMED", "VIEW"'],
    ],
    ['dataJob', 'dataJobInfo', { name: 'task', type: 3 }, ['dataJobInfo.type must be string or object']],
    ['corpGroup', 'corpGroupInfo', { displayName: 'x', admins: [] }, ['corpGroupInfo.members is required', 'corpGroupInfo.groups is required']],
    ['glossaryTerm', 'glossaryTermInfo', { definition: 'x' }, ['glossaryTermInfo.termSource is required']],
  ])('%s %s %#', (entity, aspect, value, errors) => {
    const result = registry.validateAspect(entity, aspect, value);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : [...result.error].sort()).toEqual([...errors].sort());
  });
});
