export const URN_EXAMPLE = 'urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_created,PROD)';

const CREATED = { time: 1764770000000, actor: 'urn:li:corpuser:datahub' };
const SYSTEM_METADATA = { runId: 'no-run-id-provided', lastObserved: 1764770000000, version: '2' };

export const ASPECT_EXAMPLE = {
  urn: URN_EXAMPLE,
  aspect: { 'com.linkedin.dataset.DatasetProperties': { name: 'fct_users_created', customProperties: {}, tags: [] } },
  version: 2,
  created: CREATED,
  systemMetadata: SYSTEM_METADATA,
};

export const ENTITY_EXAMPLE = {
  urn: URN_EXAMPLE,
  aspects: {
    datasetKey: {
      name: 'datasetKey',
      type: 'VERSIONED',
      version: 1,
      value: { platform: 'urn:li:dataPlatform:hive', name: 'fct_users_created', origin: 'PROD' },
      created: CREATED,
      systemMetadata: { ...SYSTEM_METADATA, version: '1' },
    },
    datasetProperties: {
      name: 'datasetProperties',
      type: 'VERSIONED',
      version: 2,
      value: { name: 'fct_users_created', customProperties: {}, tags: [] },
      created: CREATED,
      systemMetadata: SYSTEM_METADATA,
    },
  },
};
