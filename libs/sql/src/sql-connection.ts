import { readFileSync } from 'fs';
import type { ConnectionOptions, SslOptions } from 'mysql2';
import type { Settings } from '@lib/config';

/**
 * Where and how to connect to MySQL - host, credentials, database and TLS (MYSQL_SSL, MYSQL_SSL_CA_FILE) - for the
 * service's pool, the end-to-end tests and the benchmark alike. `required` encrypts without checking the server's
 * certificate (MySQL's REQUIRED); `verify-ca` checks it against the CA file (else the system's CAs); `verify-identity`
 * also checks the host name.
 */
export function mysqlConnectionOptions(mysql: Settings['mysql']): ConnectionOptions {
  return { host: mysql.host, port: mysql.port, user: mysql.user, password: mysql.password, database: mysql.database, ...mysqlTls(mysql.tls) };
}

function mysqlTls(tls: Settings['mysql']['tls']): { ssl?: SslOptions } {
  switch (tls.mode) {
    case 'off':
      return {};
    case 'required':
      return { ssl: { rejectUnauthorized: false } };
    case 'verify-ca':
    case 'verify-identity':
      return {
        ssl: { rejectUnauthorized: true, verifyIdentity: tls.mode === 'verify-identity', ...(tls.caFile ? { ca: readFileSync(tls.caFile, 'utf8') } : {}) },
      };
  }
}
