import { Client } from '@opensearch-project/opensearch';
import { Kafka, logLevel } from 'kafkajs';
import { createConnection } from 'mysql2/promise';
import { stackEnv } from './stack-env';

/** Direct connections to the real stores, for tests to look at what the apps wrote. */
export function sqlConnection() {
  const env = stackEnv();
  return createConnection({
    host: env.MYSQL_HOST,
    port: Number(env.MYSQL_PORT),
    user: env.MYSQL_USER,
    password: env.MYSQL_PASSWORD,
    database: env.MYSQL_DATABASE,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
}

export function kafka(): Kafka {
  return new Kafka({ clientId: 'e2e', brokers: stackEnv().KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
}

export function search(): Client {
  return new Client({ node: stackEnv().OPENSEARCH_URL });
}
