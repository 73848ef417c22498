import type { JsonPatchJson } from '@lib/ingest';
import { URN_SCHEMA } from '../http/openapi';

const DATASET_URN = 'urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_created,PROD)';

export const ASPECT_ENVELOPE_SCHEMA = {
  type: 'object',
  required: ['value'],
  properties: {
    value: { type: 'object', description: "The aspect's value; validated against the aspect's JSON Schema in the entity registry." },
    systemMetadata: {
      type: 'object',
      properties: { runId: { type: 'string' }, properties: { type: 'object', additionalProperties: { type: 'string' } } },
    },
    headers: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: '`If-Version-Match`: the stored version this write expects (-1 = the aspect must not exist yet).',
    },
  },
};

export const BATCH_BODY_SCHEMA = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    required: ['urn'],
    properties: { urn: URN_SCHEMA },
    additionalProperties: ASPECT_ENVELOPE_SCHEMA,
  },
};

export const BATCH_BODY_EXAMPLES = {
  status: { summary: 'One aspect', value: [{ urn: DATASET_URN, status: { value: { removed: false } } }] },
  several: {
    summary: 'Several aspects, one conditional',
    value: [
      {
        urn: DATASET_URN,
        datasetProperties: { value: { name: 'fct_users_created', description: 'Users created per day', customProperties: { owner_team: 'growth' } } },
        glossaryTerms: {
          value: { terms: [{ urn: 'urn:li:glossaryTerm:Classification.Sensitive' }], auditStamp: { time: 1737587612508, actor: 'urn:li:corpuser:datahub' } },
          headers: { 'If-Version-Match': '-1' },
        },
      },
    ],
  },
  timeseries: {
    summary: 'A timeseries aspect',
    value: [{ urn: DATASET_URN, datasetProfile: { value: { timestampMillis: 1737587612508, rowCount: 1200, columnCount: 7 } } }],
  },
};

/**
 * The URN of the delete routes' examples: not the one the other routes show, so that trying the delete example (Swagger
 * UI, schemathesis's examples phase) leaves the entity the read examples read in place.
 */
export const DELETE_URN_EXAMPLE = 'urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_deleted,PROD)';

/** A delete's answer: the aspect it deletes (the key aspect for an entity), value null - what a client traces. */
export const DELETE_RESPONSE_EXAMPLE = [{ urn: DELETE_URN_EXAMPLE, datasetKey: { value: null } }];

export const ENTITY_RESPONSE_EXAMPLE = [
  {
    urn: DATASET_URN,
    status: {
      value: { removed: false },
      systemMetadata: {
        lastObserved: 1737587612508,
        runId: 'no-run-id-provided',
        properties: {
          telemetryLog: 'false',
          telemetryQueueSpanId: 'ee9e40edcb66ce4f',
          telemetryTraceId: '00062c53a468cbd8077e7dd079846870',
          telemetryEnqueuedAt: '1737587612508',
        },
      },
    },
  },
];

/** What a 400 of a write route means. */
export const WRITE_BAD_REQUEST =
  'Malformed JSON, unknown entity type or aspect, malformed URN or one of another entity type, a value failing its schema (or a malformed JSON Patch, or a patch of a timeseries aspect), an empty batch, a bad query flag. The message names the field.';

export const JSON_PATCH_OPERATION_SCHEMA = {
  type: 'object',
  required: ['op', 'path'],
  properties: {
    op: { type: 'string', enum: ['add', 'remove', 'replace', 'copy', 'move', 'test'] },
    path: { type: 'string', description: 'JSON Pointer (RFC 6901): "~1" is "/", "~0" is "~".' },
    // Untyped: RFC 6902 section 4 has an operation ignore the members it does not define (`from` of an add, say).
    from: { description: 'copy and move: the JSON Pointer (a string) to take the value from; the other operations ignore it.' },
    value: { description: 'add, replace and test.' },
  },
};

/** A JSON Patch document: RFC 6902 operations, and the key fields of arrays addressed by key (DataHub's GenericJsonPatch). */
export const PATCH_DOCUMENT_SCHEMA = {
  oneOf: [
    { type: 'array', minItems: 1, items: JSON_PATCH_OPERATION_SCHEMA },
    {
      type: 'object',
      required: ['patch'],
      properties: {
        patch: { type: 'array', minItems: 1, items: JSON_PATCH_OPERATION_SCHEMA },
        arrayPrimaryKeys: {
          type: 'object',
          nullable: true,
          additionalProperties: { type: 'array', items: { type: 'string' } },
          description:
            'Per top-level array field, the fields that identify an element (nested fields joined with U+241F). The element is then addressed as /<field>/<key1>/<key2>..., by key rather than by position. null: none.',
        },
        forceGenericPatch: { type: 'boolean' },
      },
    },
  ],
};

const ADD_TAG_PATCH: JsonPatchJson = {
  arrayPrimaryKeys: { tags: ['attribution\u241fsource', 'tag'] },
  patch: [{ op: 'add', path: '/tags//urn:li:tag:pii', value: { tag: 'urn:li:tag:pii' } }],
};

export const PATCH_BATCH_BODY_SCHEMA = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    required: ['urn'],
    properties: { urn: URN_SCHEMA },
    additionalProperties: {
      type: 'object',
      required: ['value'],
      properties: {
        value: PATCH_DOCUMENT_SCHEMA,
        systemMetadata: ASPECT_ENVELOPE_SCHEMA.properties.systemMetadata,
        headers: ASPECT_ENVELOPE_SCHEMA.properties.headers,
      },
    },
  },
};

export const PATCH_BATCH_EXAMPLES = {
  addTag: { summary: 'Add a tag (as the DataHub SDK sends it)', value: [{ urn: DATASET_URN, globalTags: { value: ADD_TAG_PATCH } }] },
  description: {
    summary: 'Set the description and a custom property',
    value: [
      {
        urn: DATASET_URN,
        datasetProperties: {
          value: [
            { op: 'add', path: '/description', value: 'Users created per day' },
            { op: 'add', path: '/customProperties/owner_team', value: 'growth' },
          ],
        },
      },
    ],
  },
  conditional: {
    summary: 'Only if the stored description is still the old one (test), and only at version 2',
    value: [
      {
        urn: DATASET_URN,
        datasetProperties: {
          value: [
            { op: 'test', path: '/description', value: 'Users created per day' },
            { op: 'replace', path: '/description', value: 'New users per day' },
          ],
          headers: { 'If-Version-Match': '2' },
        },
      },
    ],
  },
};

export const PATCH_SINGLE_EXAMPLES = {
  addTag: { summary: 'Add a tag', value: ADD_TAG_PATCH },
  removeTag: { summary: 'Remove a tag (however attributed)', value: [{ op: 'remove', path: '/tags/urn:li:tag:pii' }] },
};

/** An aspect as the entity routes answer it: its value (null: deleted), and its systemMetadata when asked for. */
export const ASPECT_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['value'],
  properties: {
    value: { nullable: true, description: "The aspect's value (a write's answer: what was written or queued; a delete's: null)." },
    systemMetadata: { type: 'object', description: 'With systemMetadata=true (or in the answer of an async write).' },
  },
};

/** An entity as the entity routes answer it: `{urn, <aspect>: {value, systemMetadata?}}`. */
export const ENTITY_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['urn'],
  properties: { urn: { type: 'string' } },
  additionalProperties: ASPECT_RESPONSE_SCHEMA,
};

export const ENTITIES_RESPONSE_SCHEMA = { type: 'array', items: ENTITY_RESPONSE_SCHEMA };

/** GET .../versions: one stored version of an aspect. */
export const VERSIONS_RESPONSE_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['version', 'value', 'systemMetadata', 'createdOn', 'createdBy'],
    properties: {
      version: { type: 'integer', minimum: 1 },
      value: { nullable: true, description: 'The value of this version; null for a delete.' },
      deleted: { type: 'boolean', enum: [true], description: 'This version is a delete: the aspect had no value from then on.' },
      previousValue: { nullable: true, description: 'The value this version replaced.' },
      systemMetadata: { type: 'object', nullable: true },
      createdOn: { type: 'string', format: 'date-time' },
      createdBy: { type: 'string', description: "The writer: the token's subject." },
    },
  },
};
