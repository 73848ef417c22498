import { readFileSync } from 'fs';
import type { ClientOptions } from '@opensearch-project/opensearch';
import type { Settings } from '@lib/config';

/**
 * The node, basic authentication (OPENSEARCH_USERNAME / OPENSEARCH_PASSWORD) and TLS (an https OPENSEARCH_URL, its
 * certificate checked against OPENSEARCH_SSL_CA_FILE, else the system's CAs) of every OpenSearch client: the
 * service's, the span store's, the end-to-end tests' and the benchmark's. The client keeps the credentials out of
 * its errors and its own serialisation.
 */
export function searchClientOptions(search: Settings['search']): ClientOptions {
  const options: ClientOptions = { node: search.url };
  if (search.username && search.password) options.auth = { username: search.username, password: search.password };
  if (search.caFile) options.ssl = { ca: readFileSync(search.caFile, 'utf8'), rejectUnauthorized: true };
  return options;
}
