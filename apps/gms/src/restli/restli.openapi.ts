import { URN_EXAMPLE } from '../http/openapi';

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

const AUDIT_STAMP_SCHEMA = {
  type: 'object',
  required: ['time', 'actor'],
  properties: { time: { type: 'integer', description: 'Epoch milliseconds.' }, actor: { type: 'string' } },
};

/** GET /aspects/{urn}: one version of one aspect, under its record's full name. */
export const ASPECT_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['urn', 'aspect', 'version', 'created'],
  properties: {
    urn: { type: 'string' },
    aspect: {
      type: 'object',
      minProperties: 1,
      maxProperties: 1,
      description: "`{<the aspect's record name>: <value>}`",
      additionalProperties: { type: 'object' },
    },
    version: { type: 'integer', minimum: 1 },
    created: AUDIT_STAMP_SCHEMA,
    systemMetadata: { type: 'object' },
  },
};

/** GET /entitiesV2/{urn}: the live versioned aspects, by name. */
export const ENTITY_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['urn', 'aspects'],
  properties: {
    urn: { type: 'string' },
    aspects: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['name', 'type', 'version', 'value'],
        properties: {
          name: { type: 'string' },
          type: { type: 'string', enum: ['VERSIONED'] },
          version: { type: 'integer', minimum: 0 },
          value: { type: 'object' },
          created: { ...AUDIT_STAMP_SCHEMA, description: 'Absent for a key aspect derived from the URN.' },
          systemMetadata: { type: 'object', description: 'Absent for a key aspect derived from the URN.' },
        },
      },
    },
  },
};
