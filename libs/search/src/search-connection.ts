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

/**
 * OpenSearch's security plugin answers a refused login or permission in plain text, which the client reports as
 * "Response Error": say instead what happened and which variables to look at (names only, never a value). Used on
 * every error the service's client sees (SearchClient), so health, setup, logs and traces read the same.
 */
export function explainSearchRefusal(err: unknown, search: Settings['search']): void {
  if (!(err instanceof Error) || err.name !== 'ResponseError') return;
  const status = (err as { meta?: { statusCode?: number } }).meta?.statusCode;
  const detail = err.message === 'Response Error' ? '' : `: ${err.message}`;
  if (status === 401) {
    err.message = search.username
      ? `OpenSearch refused the credentials (401 Unauthorized${detail}): check OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD`
      : `OpenSearch requires authentication (401 Unauthorized${detail}): set OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD`;
  } else if (status === 403) {
    err.message = `OpenSearch refused the request (403 Forbidden${detail}): the user OPENSEARCH_USERNAME names lacks a permission`;
  }
}
