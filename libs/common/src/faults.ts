/**
 * Is this error a fault of a dependency - MySQL, Kafka or OpenSearch down, slow or refusing us for a reason that
 * is not the message's - rather than of the message being processed? A consumer retries a dependency fault
 * for as long as it lasts and never dead-letters a message for it; only what is not one may, after bounded
 * tries, mark a message as one that can never be processed. The rule is deliberately wide: anything from a
 * client library that is not known to be about the message counts as the dependency's.
 */
export function isDependencyFault(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (typeof e !== 'object') return false;
    const { name, code, statusCode, type, fatal, sqlState } = e as Record<string, unknown>;
    // Kafka: every kafkajs error but the few that are about the records sent.
    if (typeof name === 'string' && name.startsWith('KafkaJS')) return !(typeof type === 'string' && KAFKA_RECORD_FAULTS.has(type));
    // Our own bounds on a dependency's answer (withTimeout), and OpenSearch's client errors.
    if (name === 'TimeoutError' || name === 'ConnectionError' || name === 'NoLivingConnectionsError' || name === 'BulkWriteError') return true;
    if (name === 'ResponseError' && typeof statusCode === 'number') return statusCode === 408 || statusCode === 429 || statusCode >= 500;
    // Sockets (any client), and MySQL: connection states, lost connections, locks, a server going away.
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || MYSQL_TRANSIENT_CODES.has(code))) return true;
    if (fatal === true || (typeof sqlState === 'string' && sqlState.startsWith('08'))) return true;
  }
  return false;
}

/** kafkajs protocol errors that are about the records themselves: retrying them sends the same bytes again. */
const KAFKA_RECORD_FAULTS: ReadonlySet<string> = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
]);

const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ESOCKETTIMEDOUT',
]);

const MYSQL_TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'POOL_CLOSED',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
  'ER_OPTION_PREVENTS_STATEMENT',
  'ER_READ_ONLY_MODE',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_NO_SUCH_TABLE',
  'ER_DISK_FULL',
  'ER_RECORD_FILE_FULL',
]);
