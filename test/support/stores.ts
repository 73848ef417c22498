import { Client } from '@opensearch-project/opensearch';
import { Kafka, logLevel } from 'kafkajs';
import { createConnection } from 'mysql2/promise';
import { Settings, validateEnv } from '@lib/config';
import { kafkaConnectionOptions } from '@lib/kafka';
import { searchClientOptions } from '@lib/search';
import { mysqlConnectionOptions } from '@lib/sql';
import { stackEnv } from './stack-env';

/**
 * The settings the apps would make of `env`: the tests' clients connect exactly as the apps do (TLS, SASL, basic
 * auth included), through the same functions.
 */
function settingsOf(env: Record<string, string>): Settings {
  return new Settings(validateEnv({ ...env, AUTH_ENABLED: 'false' }));
}

/** Direct connections to the real stores, for tests to look at what the apps wrote (`env`: the stack's, by default). */
export function sqlConnection(env: Record<string, string> = stackEnv()) {
  return createConnection({ ...mysqlConnectionOptions(settingsOf(env).mysql), supportBigNumbers: true, bigNumberStrings: true });
}

export function kafka(env: Record<string, string> = stackEnv()): Kafka {
  const s = settingsOf(env);
  return new Kafka({ clientId: 'e2e', brokers: s.kafka.brokers, ...kafkaConnectionOptions(s.kafka.security), logLevel: logLevel.NOTHING });
}

export function search(env: Record<string, string> = stackEnv()): Client {
  return new Client(searchClientOptions(settingsOf(env).search));
}
