import { readFileSync } from 'fs';
import { join } from 'path';

/** The repository's root (this file is <root>/support/stack-env.ts). */
export const REPO_ROOT = join(__dirname, '..');

/**
 * The environment the process was started with, taken when this module is first loaded: a Nest
 * ConfigModule.forRoot run later in the same process (importing a library module is enough) fills
 * process.env with the env schema's defaults, e.g. an empty MYSQL_PASSWORD, which would hide
 * docker/local/local.env's values. The e2e tests load this module first (jest setupFiles in
 * test/jest-e2e.config.js); the bench's entry point (bench/run.ts) imports it before anything else.
 */
const STARTED_WITH: Readonly<Record<string, string | undefined>> = { ...process.env };

/**
 * Shared by the e2e tests (test/support re-exports it) and the benchmark (bench/).
 *
 * The environment every e2e test and app process runs with: the local stack's values (or the
 * caller's, set when the process started, when it points the tests at another stack), and names of
 * our own for topics, groups and indices, so a quickstart running beside the tests never shares
 * their consumer groups.
 */
export function stackEnv(): Record<string, string> {
  const local: Record<string, string> = {};
  for (const line of readFileSync(join(REPO_ROOT, 'docker/local/local.env'), 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) local[m[1]] = m[2];
  }
  const pick = (k: string) => STARTED_WITH[k] ?? local[k];
  const suffix = process.env.E2E_SUFFIX ?? '_e2e';
  return {
    MYSQL_HOST: pick('MYSQL_HOST'),
    MYSQL_PORT: pick('MYSQL_PORT'),
    MYSQL_DATABASE: pick('MYSQL_DATABASE'),
    MYSQL_USER: pick('MYSQL_USER'),
    MYSQL_PASSWORD: pick('MYSQL_PASSWORD'),
    KAFKA_BROKERS: pick('KAFKA_BROKERS'),
    OPENSEARCH_URL: pick('OPENSEARCH_URL'),
    OPENSEARCH_INDEX_PREFIX: `${suffix.replace(/^_/, '').toLowerCase()}_`,
    TOPIC_MCP: `MetadataChangeProposal_v1${suffix}`,
    TOPIC_FAILED_MCP: `FailedMetadataChangeProposal_v1${suffix}`,
    TOPIC_FAILED_MCL: `FailedMetadataChangeLog_v1${suffix}`,
    TOPIC_MCL_VERSIONED: `MetadataChangeLog_Versioned_v1${suffix}`,
    TOPIC_MCL_TIMESERIES: `MetadataChangeLog_Timeseries_v1${suffix}`,
    MCE_CONSUMER_GROUP: `generic-mce-consumer-job-client${suffix}`,
    MAE_CONSUMER_GROUP: `generic-mae-consumer-job-client${suffix}`,
    KAFKA_TOPIC_PARTITIONS: '3',
    // Authentication has its own end-to-end test; the others talk to the API without tokens.
    AUTH_ENABLED: process.env.E2E_AUTH_ENABLED ?? 'false',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'log',
    // Secured connections (TLS, SASL, basic auth), when the caller points the tests or the bench at such a stack.
    ...Object.fromEntries(CONNECTION_SECURITY.flatMap((k) => (pick(k) ? [[k, pick(k) as string]] : []))),
  };
}

/** The variables of secured connections (libs/config/src/env.ts), passed through from the caller when set. */
const CONNECTION_SECURITY = [
  'KAFKA_SECURITY_PROTOCOL',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'MYSQL_SSL',
  'MYSQL_SSL_CA_FILE',
  'OPENSEARCH_USERNAME',
  'OPENSEARCH_PASSWORD',
  'OPENSEARCH_SSL_CA_FILE',
];
