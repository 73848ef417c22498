import { readFileSync } from 'fs';
import type { ConnectionOptions } from 'tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { KafkaSecurity } from '@lib/config';

const SASL_MECHANISM = { PLAIN: 'plain', 'SCRAM-SHA-256': 'scram-sha-256', 'SCRAM-SHA-512': 'scram-sha-512' } as const;

/**
 * kafkajs's `ssl` and `sasl` options for KAFKA_SECURITY_PROTOCOL and its companions (validated at start-up by Env):
 * the one rule every Kafka client is made with - the apps', the end-to-end tests' and the benchmark's.
 * TLS checks the brokers' certificates and host names (against KAFKA_SSL_CA_FILE, else the system's CAs).
 */
export function kafkaConnectionOptions(security: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const options: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security.tls) {
    const { caFile, certFile, keyFile } = security.tls;
    const tls: ConnectionOptions = { rejectUnauthorized: true };
    if (caFile) tls.ca = [readFileSync(caFile, 'utf8')];
    if (certFile && keyFile) {
      tls.cert = readFileSync(certFile, 'utf8');
      tls.key = readFileSync(keyFile, 'utf8');
    }
    options.ssl = tls;
  }
  if (security.sasl) {
    const { mechanism, username, password } = security.sasl;
    options.sasl = { mechanism: SASL_MECHANISM[mechanism], username, password } as SASLOptions;
  }
  return options;
}
