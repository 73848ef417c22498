import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/**
 * What `GET /config` answers: the reference API's server-configuration document, cut down to the fields its
 * clients read, each one true of this service.
 *
 * The client we check this against is DataHub's Python SDK (acryl-datahub; tested with 1.7.0.17).
 * In `datahub/emitter/rest_emitter.py` (`fetch_server_config`) it calls `GET {server}/config` and refuses the server
 * unless `noCode` is the string "true". It does not use feature flags for the two features we have. It works them
 * out from the reference version (`datahub/utilities/server_config_util.py`,
 * `RestServiceConfig.supports_feature`):
 *   - OPEN_API_SDK (write through `POST /openapi/v3/entity/{entityName}`) and
 *   - API_TRACING (EmitMode.ASYNC_WAIT: poll `POST /openapi/v1/trace/write/{traceId}` until nothing is PENDING)
 * are both on when `versions["acryldata/datahub"].version` >= 1.0.1 and `datahub.serverEnv` is absent or "core".
 * Other features are set by explicit flags (`patchCapable`, `statefulIngestionCapable`, `supportsImpactAnalysis`,
 * `telemetry.enabledCli`). `patchCapable` is true: `PATCH /openapi/v3/entity/...` applies the JSON Patches the SDK's
 * patch builders make. We set the others to false because we do not have them.
 */

/** The service's own name and version (package.json), listed under `versions` beside the reference API version. */
export const SERVICE_NAME = 'metadata-write-tracing';
export const SERVICE_VERSION = '0.1.0';

/**
 * The version of the reference API whose write and trace contract we follow. 1.0.1 is the lowest version for which
 * the SDK turns on OPEN_API_SDK and API_TRACING, the two things we implement. Every version-gated SDK feature
 * above it stays off: ASSERTION_NOTE_ASPECT needs 1.7.0.1, and SEMANTIC_MODEL_ENTITIES is only offered to
 * DataHub Cloud.
 * We do not claim the rest of that release: no Rest.li, no GraphQL.
 */
export const REFERENCE_API_VERSION = 'v1.0.1';

export interface ServerConfig {
  noCode: 'true';
  versions: Record<string, { version: string }>;
  datahub: { serverType: string; serverEnv: 'core' };
  patchCapable: true;
  statefulIngestionCapable: false;
  supportsImpactAnalysis: false;
  managedIngestion: { enabled: false };
  telemetry: { enabledCli: false; enabledIngestion: false };
}

export function serverConfig(): ServerConfig {
  return {
    // A string, as in the reference. It says this is the metadata service (GMS), not the web frontend. Its entity
    // and aspect model is read from data (our entity registry), not compiled in, which is what "no code" means.
    noCode: 'true',
    versions: {
      'acryldata/datahub': { version: REFERENCE_API_VERSION },
      [SERVICE_NAME]: { version: SERVICE_VERSION },
    },
    // serverEnv "core": not DataHub Cloud, so the SDK uses its open-source ("core") version thresholds.
    // serverType is only shown to users.
    datahub: { serverType: SERVICE_NAME, serverEnv: 'core' },
    // `PATCH /openapi/v3/entity/...` applies JSON Patch aspects (changeType PATCH), as the SDK's patch builders send them.
    patchCapable: true,
    // No ingestion checkpoints (no Rest.li/GraphQL reads they need).
    statefulIngestionCapable: false,
    // No lineage / impact-analysis search.
    supportsImpactAnalysis: false,
    // No ingestion sources run on the server.
    managedIngestion: { enabled: false },
    // We collect no usage telemetry. `enabledCli: false` also tells the SDK not to send its own telemetry when it
    // talks to us.
    telemetry: { enabledCli: false, enabledIngestion: false },
  };
}

/** The Swagger schema of the document, with the meaning of each field. */
export const SERVER_CONFIG_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['noCode', 'versions'],
  properties: {
    noCode: {
      type: 'string',
      enum: ['true'],
      description:
        'Always "true" (a string). This is the metadata service, not a web frontend. Aspects are defined by the entity registry. ' +
        'Clients of the reference API (the DataHub SDK) refuse a server without it.',
    },
    versions: {
      type: 'object',
      description:
        '"acryldata/datahub": the reference API version whose write and trace contract we follow (v1.0.1). This is the lowest version ' +
        'for which the DataHub SDK writes through OpenAPI v3 and waits on the trace endpoint (EmitMode.ASYNC_WAIT). ' +
        `"${SERVICE_NAME}": this service's own version.`,
      additionalProperties: { type: 'object', properties: { version: { type: 'string' } } },
    },
    datahub: {
      type: 'object',
      description: 'serverEnv "core": not DataHub Cloud (selects the open-source feature thresholds). serverType: informational.',
      properties: { serverType: { type: 'string' }, serverEnv: { type: 'string', enum: ['core'] } },
    },
    patchCapable: {
      type: 'boolean',
      enum: [true],
      description: 'true: `PATCH /openapi/v3/entity/{entityName}` (and `/{urn}/{aspectName}`) applies JSON Patches, with arrayPrimaryKeys.',
    },
    statefulIngestionCapable: { type: 'boolean', enum: [false], description: 'false: no ingestion checkpoints.' },
    supportsImpactAnalysis: { type: 'boolean', enum: [false], description: 'false: no lineage / impact-analysis search.' },
    managedIngestion: { type: 'object', description: 'enabled false: no ingestion sources run on the server.', properties: { enabled: { type: 'boolean' } } },
    telemetry: {
      type: 'object',
      description: 'Both false: we collect no usage telemetry, and clients should not send their CLI telemetry on our behalf.',
      properties: { enabledCli: { type: 'boolean' }, enabledIngestion: { type: 'boolean' } },
    },
  },
};
