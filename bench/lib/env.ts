import { Client } from '@opensearch-project/opensearch';
import { Kafka, logLevel } from 'kafkajs';
import { createPool, Pool } from 'mysql2/promise';
import { cpus, freemem, loadavg, totalmem, release } from 'os';
import { Settings, validateEnv } from '@lib/config';
import { kafkaConnectionOptions } from '@lib/kafka';
import { searchClientOptions } from '@lib/search';
import { mysqlConnectionOptions } from '@lib/sql';
import { stackEnv } from '../../support/stack-env';

/**
 * The bench runs on the local stack under names of its own (suffix `_bench`, index prefix `bench_`),
 * exactly as the e2e tests use `_e2e`, so it never shares topics, groups or indices with them.
 */
export const SUFFIX = '_bench';

export function benchEnv(): Record<string, string> {
  process.env.E2E_SUFFIX = SUFFIX;
  // 6 partitions per topic (the e2e tests use 3): two consumer processes of a group then each run
  // 3 partitions at once, as one process does on its own (the consumers process up to 3 partitions at once).
  return { ...stackEnv(), KAFKA_CLIENT_ID: 'metadata-service-bench', LOG_LEVEL: 'log', KAFKA_TOPIC_PARTITIONS: '6' };
}

export const ENV = benchEnv();

export const NAMES = {
  mcp: ENV.TOPIC_MCP,
  failed: ENV.TOPIC_FAILED_MCP,
  mcl: ENV.TOPIC_MCL_VERSIONED,
  mclTimeseries: ENV.TOPIC_MCL_TIMESERIES,
  mceGroup: ENV.MCE_CONSUMER_GROUP,
  maeGroup: ENV.MAE_CONSUMER_GROUP,
  systemMetadataIndex: `${ENV.OPENSEARCH_INDEX_PREFIX}system_metadata_service_v1`,
  // Scenarios 1 and 6 run a gms of their own on a topic of its own, so the MCP topic of the others stays clean.
  ingestMcp: `${ENV.TOPIC_MCP}_ingest`,
  // The floor pipeline of scenario 2 (bare kafkajs + mysql2 + OpenSearch, inside the bench process).
  floorMcp: `${ENV.TOPIC_MCP}_floor`,
  floorMcl: `${ENV.TOPIC_MCL_VERSIONED}_floor`,
  floorMceGroup: `bench-floor-mce`,
  floorMaeGroup: `bench-floor-mae`,
  floorIndex: `${ENV.OPENSEARCH_INDEX_PREFIX}floor_system_metadata`,
  partitions: Number(ENV.KAFKA_TOPIC_PARTITIONS),
};

/** Every bench URN starts with this, so the bench can delete its own rows and nothing else. */
export const URN_PREFIX = 'urn:li:dataset:(urn:li:dataPlatform:bench,';

/** The settings the apps make of ENV: the bench's clients connect as the apps do (TLS, SASL, basic auth included). */
const SETTINGS = new Settings(validateEnv({ ...ENV, AUTH_ENABLED: 'false' }));

export function kafka(clientId = 'bench'): Kafka {
  return new Kafka({
    clientId,
    brokers: SETTINGS.kafka.brokers,
    ...kafkaConnectionOptions(SETTINGS.kafka.security),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10000,
  });
}

/** Configured like the service's pool (libs/sql/src/sql.pool.ts), so the floors pay the same driver costs. */
export function sqlPool(): Pool {
  return createPool({
    ...mysqlConnectionOptions(SETTINGS.mysql),
    connectionLimit: 10,
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: 'Z',
    charset: 'utf8mb4',
    enableKeepAlive: true,
  });
}

/** Configured like the service's client (libs/search/src/search.client.ts). */
export function searchClient(): Client {
  return new Client({ ...searchClientOptions(SETTINGS.search), requestTimeout: 10000, maxRetries: 1 });
}

export function machine() {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    freeMemoryBytesAtStart: freemem(),
    node: process.version,
    kernel: release(),
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
