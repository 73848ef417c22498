import { readFileSync, statSync } from 'fs';
import { availableParallelism } from 'os';
import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Matches, Max, Min, ValidateBy } from 'class-validator';

const toBool = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? (/^(true|1|yes)$/i.test(value) ? true : /^(false|0|no)$/i.test(value) ? false : value) : value;
const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value);

/** A whole number from min to max (the variable's text converted first). */
function EnvInt(min: number, max: number): PropertyDecorator {
  return applyDecorators(Transform(toInt), IsInt(), Min(min), Max(max));
}

const toNumber = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value);

/** A decimal number from min to max. */
function EnvNumber(min: number, max: number): PropertyDecorator {
  return applyDecorators(Transform(toNumber), IsNumber({ allowNaN: false, allowInfinity: false }), Min(min), Max(max));
}

/**
 * A PEM file the process can read (a CA, a certificate or a key), or unset. Checked at start-up so that a wrong
 * path stops the process naming the variable, not a TLS handshake later.
 */
function ReadablePemFile(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    IsString(),
    ValidateBy({
      name: 'readablePemFile',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || value === '' || pemFileProblem(value) === undefined,
        defaultMessage: (args) => `$property must be a readable PEM file: ${pemFileProblem(String(args?.value)) ?? 'it is not'}`,
      },
    }),
  );
}

/** Why `path` is not a readable PEM file, or undefined when it is. */
export function pemFileProblem(path: string): string | undefined {
  let text: string;
  try {
    if (!statSync(path).isFile()) return 'not a file';
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied: the process cannot read it' : `cannot read it (${code ?? 'error'})`;
  }
  return /-----BEGIN [A-Z0-9 ]+-----/.test(text) ? undefined : 'not a PEM file (no -----BEGIN line)';
}

/** A valid Kafka topic name. */
function TopicName(): PropertyDecorator {
  return applyDecorators(IsString(), Matches(/^[A-Za-z0-9._-]{1,249}$/, { message: '$property must be a valid Kafka topic name' }));
}

/**
 * Every environment variable the three apps read, with its local default.
 * The README's configuration table is written from this class: keep them together.
 */
export class Env {
  // --- HTTP service -------------------------------------------------------
  @EnvInt(0, 65535)
  PORT: number = 8080;

  /**
   * Processes the HTTP service runs as, on one port (Node's cluster module): a primary forks this many
   * workers and replaces one that dies. 1: one process, no primary. Defaults to the cores available (at most 64).
   */
  @EnvInt(1, 64)
  GMS_WORKERS: number = Math.min(64, availableParallelism());

  /** Interface the HTTP servers listen on (0.0.0.0 in a container). */
  @IsString()
  @IsNotEmpty()
  HOST: string = '127.0.0.1';

  /** Consumers embedded in the HTTP service process (quickstart): "", "mce", "mae" or "mce,mae". */
  @IsString()
  @Matches(/^(|none|mce|mae|mce,mae|mae,mce)$/, { message: 'RUN_CONSUMERS must be one of "", "none", "mce", "mae", "mce,mae"' })
  RUN_CONSUMERS: string = '';

  /** Health port of the standalone MCE consumer process. */
  @EnvInt(0, 65535)
  MCE_CONSUMER_PORT: number = 9090;

  /** Health port of the standalone MAE consumer process. */
  @EnvInt(0, 65535)
  MAE_CONSUMER_PORT: number = 9091;

  /** Create the SQL table, Kafka topics and OpenSearch indices at start-up (idempotent). */
  @Transform(toBool)
  @IsBoolean()
  SETUP_ON_START: boolean = true;

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: string = 'log';

  /** `json` (one JSON object a line, for production) or `text` (readable, for local work). */
  @IsIn(['text', 'json'])
  LOG_FORMAT: string = process.env.NODE_ENV === 'production' ? 'json' : 'text';

  /** An entity registry file to use instead of the bundled libs/metadata/registry/entity-registry.json. */
  @IsOptional()
  @IsString()
  ENTITY_REGISTRY_PATH: string = '';

  /** After SIGTERM, how long the HTTP server keeps accepting connections (answering with Connection: close) before it stops. */
  @EnvInt(0, 60000)
  SHUTDOWN_ACCEPT_MS: number = 500;

  /**
   * Largest aspect value accepted, as JSON; larger ones get 413. Its change log carries it twice (the new
   * and the previous value) in one Kafka message, which must stay under the broker's message.max.bytes (1 MiB by default).
   */
  @EnvInt(1024, 268435456)
  MAX_ASPECT_BYTES: number = 409600;

  /** Largest request body accepted; larger ones get 413. */
  @EnvInt(1024, 268435456)
  MAX_REQUEST_BYTES: number = 4194304;

  /** Most aspects one write request may carry. */
  @EnvInt(1, 100000)
  MAX_BATCH_ASPECTS: number = 1000;

  // --- Authentication -------------------------------------------------------
  /** Bearer tokens required on every API route but health, /config and Swagger. Turn off only for local experiments. */
  @Transform(toBool)
  @IsBoolean()
  AUTH_ENABLED: boolean = true;

  /** HS256 secret tokens are signed with (at least 32 characters). Never in code: the quickstart makes one in .stack/. */
  @IsOptional()
  @IsString()
  @Matches(/^$|^.{32,}$/, { message: 'AUTH_JWT_SECRET must be at least 32 characters' })
  AUTH_JWT_SECRET: string = '';

  /** A JWKS URL whose keys may also sign tokens (RS256/ES256...), e.g. an identity provider's. */
  @IsOptional()
  @IsString()
  @Matches(/^$|^https?:\/\/\S+$/, { message: 'AUTH_JWKS_URL must be an http(s) URL' })
  AUTH_JWKS_URL: string = '';

  /** Expected `iss` and `aud` of tokens, when set. */
  @IsOptional()
  @IsString()
  AUTH_ISSUER: string = '';

  @IsOptional()
  @IsString()
  AUTH_AUDIENCE: string = '';

  // --- Kafka ----------------------------------------------------------------
  @IsString()
  @Matches(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, { message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  KAFKA_BROKERS: string = '127.0.0.1:9092';

  @IsString()
  @IsNotEmpty()
  KAFKA_CLIENT_ID: string = 'metadata-service';

  @EnvInt(1, 1000)
  KAFKA_TOPIC_PARTITIONS: number = 3;

  @EnvInt(1, 10)
  KAFKA_REPLICATION_FACTOR: number = 1;

  /**
   * How the clients talk to the brokers: `PLAINTEXT`, `SSL` (TLS), `SASL_PLAINTEXT` or `SASL_SSL` (TLS + SASL), as
   * the brokers' listener is configured. SASL needs KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD.
   */
  @IsIn(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'])
  KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL' = 'PLAINTEXT';

  /** SASL mechanism (SASL_* protocols only): `PLAIN`, `SCRAM-SHA-256` or `SCRAM-SHA-512`. */
  @IsOptional()
  @IsIn(['', 'PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])
  KAFKA_SASL_MECHANISM: '' | 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' = '';

  @IsOptional()
  @IsString()
  KAFKA_SASL_USERNAME: string = '';

  /** Never logged nor shown in an error. */
  @IsOptional()
  @IsString()
  KAFKA_SASL_PASSWORD: string = '';

  /** PEM file of the CA(s) the brokers' certificates are checked against (SSL, SASL_SSL); unset: the system's CAs. */
  @ReadablePemFile()
  KAFKA_SSL_CA_FILE: string = '';

  /** PEM client certificate (chain) for brokers that require one (mutual TLS); needs KAFKA_SSL_KEY_FILE. */
  @ReadablePemFile()
  KAFKA_SSL_CERT_FILE: string = '';

  /** PEM private key (unencrypted) of KAFKA_SSL_CERT_FILE. */
  @ReadablePemFile()
  KAFKA_SSL_KEY_FILE: string = '';

  /** Upper bound on one produce (and on connecting for it); past it a write answers 503. */
  @EnvInt(100, 120000)
  KAFKA_PRODUCE_TIMEOUT_MS: number = 5000;

  @TopicName()
  TOPIC_MCP: string = 'MetadataChangeProposal_v1';

  @TopicName()
  TOPIC_FAILED_MCP: string = 'FailedMetadataChangeProposal_v1';

  /** Change logs the MAE consumer could not index, with the reason (its dead-letter topic). */
  @TopicName()
  TOPIC_FAILED_MCL: string = 'FailedMetadataChangeLog_v1';

  @TopicName()
  TOPIC_MCL_VERSIONED: string = 'MetadataChangeLog_Versioned_v1';

  @TopicName()
  TOPIC_MCL_TIMESERIES: string = 'MetadataChangeLog_Timeseries_v1';

  /**
   * Tries of a consumer batch that fails with an error that is not a dependency fault (MySQL, Kafka or
   * OpenSearch down, a timeout) before the consumer looks for the message that cannot be processed, which
   * then goes, with its exception, to the failed-proposal topic (MCE) or TOPIC_FAILED_MCL (MAE).
   */
  @EnvInt(1, 100)
  CONSUMER_POISON_ATTEMPTS: number = 3;

  /** Pause before the first retry of such a batch; it doubles at each try. */
  @EnvInt(0, 60000)
  CONSUMER_POISON_BACKOFF_MS: number = 500;

  /** A consumer that stops heartbeating (killed) loses its partitions after this long. */
  @EnvInt(3000, 300000)
  KAFKA_CONSUMER_SESSION_TIMEOUT_MS: number = 30000;

  /** How long a rebalance waits for members to rejoin. */
  @EnvInt(3000, 600000)
  KAFKA_CONSUMER_REBALANCE_TIMEOUT_MS: number = 60000;

  /** Partitions a consumer processes at once (each partition stays in order). */
  @EnvInt(1, 64)
  KAFKA_CONSUMER_PARTITIONS_CONCURRENCY: number = 3;

  /** Most proposals (MCE) or change logs (MAE) written in one SQL transaction or one bulk request. */
  @EnvInt(1, 10000)
  CONSUMER_BATCH_MAX_MESSAGES: number = 500;

  /** Most bytes of aspect values in one SQL transaction or bulk request (a single larger one goes alone). */
  @EnvInt(65536, 67108864)
  CONSUMER_BATCH_MAX_BYTES: number = 4194304;

  /** Longest a consumer's fetch waits for CONSUMER_FETCH_MIN_BYTES before it takes what has arrived. */
  @EnvInt(0, 10000)
  CONSUMER_BATCH_MAX_WAIT_MS: number = 500;

  /** Bytes a consumer's fetch waits for (up to CONSUMER_BATCH_MAX_WAIT_MS); 1 answers as soon as there is any message. */
  @EnvInt(1, 67108864)
  CONSUMER_FETCH_MIN_BYTES: number = 1;

  @IsString()
  @IsNotEmpty()
  MCE_CONSUMER_GROUP: string = 'generic-mce-consumer-job-client';

  @IsString()
  @IsNotEmpty()
  MAE_CONSUMER_GROUP: string = 'generic-mae-consumer-job-client';

  // --- MySQL ----------------------------------------------------------------
  @IsString()
  @IsNotEmpty()
  MYSQL_HOST: string = '127.0.0.1';

  @EnvInt(1, 65535)
  MYSQL_PORT: number = 3306;

  @IsString()
  @IsNotEmpty()
  MYSQL_USER: string = 'metadata';

  /** No default: the local stack's value lives in docker/local/local.env, never in code. */
  @IsOptional()
  @IsString()
  MYSQL_PASSWORD: string = '';

  @IsString()
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'MYSQL_DATABASE must be letters, digits and _ (at most 64)' })
  MYSQL_DATABASE: string = 'metadata';

  @EnvInt(1, 200)
  MYSQL_POOL_SIZE: number = 10;

  /**
   * TLS to MySQL: `off`; `required` (encrypted, the server's certificate not checked); `verify-ca` (checked against
   * MYSQL_SSL_CA_FILE, else the system's CAs); `verify-identity` (also the host name against the certificate).
   */
  @IsIn(['off', 'required', 'verify-ca', 'verify-identity'])
  MYSQL_SSL: 'off' | 'required' | 'verify-ca' | 'verify-identity' = 'off';

  /** PEM file of the CA(s) the server's certificate is checked against (MYSQL_SSL=verify-ca or verify-identity). */
  @ReadablePemFile()
  MYSQL_SSL_CA_FILE: string = '';

  // --- OpenSearch -----------------------------------------------------------
  @IsString()
  @Matches(/^https?:\/\/[^\s/]+(:\d+)?\/?$/, { message: 'OPENSEARCH_URL must be an http(s) URL such as http://127.0.0.1:9200' })
  OPENSEARCH_URL: string = 'http://127.0.0.1:9200';

  /** Prepended to every index name, for sharing one cluster between deployments. */
  @IsString()
  @Matches(/^[a-z0-9_-]*$/, { message: 'OPENSEARCH_INDEX_PREFIX must be lowercase letters, digits, _ or -' })
  OPENSEARCH_INDEX_PREFIX: string = '';

  @EnvInt(0, 10)
  OPENSEARCH_REPLICAS: number = 0;

  /** HTTP basic authentication to OpenSearch (the security plugin's internal users): both or neither. */
  @IsOptional()
  @IsString()
  OPENSEARCH_USERNAME: string = '';

  /** Never logged nor shown in an error. */
  @IsOptional()
  @IsString()
  OPENSEARCH_PASSWORD: string = '';

  /** PEM file of the CA(s) an https OPENSEARCH_URL's certificate is checked against; unset: the system's CAs. */
  @ReadablePemFile()
  OPENSEARCH_SSL_CA_FILE: string = '';

  // --- Trace endpoint --------------------------------------------------------
  /** Most URNs in one trace request. */
  @EnvInt(1, 100000)
  TRACE_MAX_URNS: number = 1000;

  /** Most (urn, aspect) pairs in one trace request, after expanding empty lists (400 past it). Formerly TRACE_MAX_ASPECTS, still read when this is unset. */
  @EnvInt(1, 1000000)
  TRACE_MAX_PAIRS: number = 10000;

  /** How long a consumer group's committed offsets are reused (skipCache=true refetches). */
  @EnvInt(0, 3600000)
  TRACE_OFFSET_CACHE_TTL_MS: number = 5000;

  /** Most (group, topic) entries in the offset cache. */
  @EnvInt(1, 1000000)
  TRACE_OFFSET_CACHE_MAX: number = 1000;

  /** Most messages one partition scan reads looking for a write. */
  @EnvInt(1, 100000000)
  TRACE_KAFKA_MAX_MESSAGES: number = 10000;

  /** Longest one partition scan may take. */
  @EnvInt(10, 600000)
  TRACE_KAFKA_MAX_MILLIS: number = 3000;

  /** URNs looked up in Kafka at once. */
  @EnvInt(1, 256)
  TRACE_KAFKA_CONCURRENCY: number = 4;

  /**
   * Traces of one process reading Kafka at once, shared by all requests; at most this times
   * TRACE_KAFKA_CONCURRENCY partition scans run at once. Traces the stores settle never take a slot. Each
   * Kafka-bound trace costs the process's event loop several ms of CPU, which every other request waits for:
   * the bound is what keeps a flood of them from slowing the traces the stores answer (bench scenario 8).
   */
  @EnvInt(1, 10000)
  TRACE_KAFKA_MAX_INFLIGHT: number = 2;

  /** How long a trace that needs Kafka waits for a free slot before it answers 503 with Retry-After. */
  @EnvInt(0, 60000)
  TRACE_KAFKA_QUEUE_MS: number = 100;

  /** Overall budget of a trace's Kafka look-ups; unfinished ones answer UNKNOWN. */
  @EnvInt(100, 600000)
  TRACE_DEADLINE_MS: number = 10000;

  /** How long an idle trace reader sleeps before it looks for work: the most a Kafka look-up waits to start. */
  @EnvInt(1, 5000)
  TRACE_KAFKA_POLL_MS: number = 10;

  /** Upper bound on each store read of a trace (the SQL query, an OpenSearch request); past it those aspects answer UNKNOWN naming the store. */
  @EnvInt(100, 600000)
  TRACE_STORE_TIMEOUT_MS: number = 5000;

  /**
   * How long a trace waits, when it finds a write PENDING and the request has no `waitMs`, for the write to
   * leave PENDING (ms, at most 30000). 0 answers at once. The default lets DataHub's SDK ASYNC_WAIT (a trace at
   * once, then a 2 s sleep) return in about the time the write takes; a client that wants the immediate answer
   * passes waitMs=0.
   */
  @EnvInt(0, 30000)
  TRACE_DEFAULT_WAIT_MS: number = 5000;

  /** Most trace requests held waiting at once (per process); past it a trace answers at once. */
  @EnvInt(0, 1000000)
  TRACE_MAX_WAITERS: number = 1000;

  /** How often the shared watcher of waiting traces reads the committed offsets of each consumer group they wait on. */
  @EnvInt(5, 5000)
  TRACE_WAIT_POLL_MS: number = 25;

  /**
   * How often the consumer-group monitor samples the MCE and MAE groups (committed offsets, end offsets, members):
   * what GET /openapi/v1/consumers, the consumer_group_* gauges, a PENDING trace's details and backpressure read.
   * Each sample is one OffsetFetch and one DescribeGroups per group and one ListOffsets per topic.
   */
  @EnvInt(100, 600000)
  CONSUMER_MONITOR_INTERVAL_MS: number = 2000;

  /** Samples in the sliding window a group's state (OK, BEHIND, STALLED, STOPPED) and rate are judged over. */
  @EnvInt(2, 1000)
  CONSUMER_MONITOR_WINDOW: number = 10;

  /**
   * Backpressure: asynchronous writes answer 429 (with Retry-After) while the MCE group's lag on the proposal topic
   * is above this many messages. 0 = off (the default). Synchronous writes and traces are never refused.
   */
  @EnvInt(0, 1000000000)
  BACKPRESSURE_MAX_LAG: number = 0;

  /**
   * Backpressure: asynchronous writes answer 429 while the MCE group's estimated time to drain its lag (lag / its
   * recent consumption rate) is above this (ms); a group with lag and no consumption counts as above. 0 = off (the default).
   */
  @EnvInt(0, 86400000)
  BACKPRESSURE_MAX_WAIT_MS: number = 0;

  /**
   * Share of all traces whose spans are stored in OpenSearch (index `trace_spans_<day>`), from 0 (none: only the writes
   * that asked for the trace log, by header or cookie) to 1 (all). Decided by the trace id, so every process keeps or
   * drops the same traces.
   */
  @EnvNumber(0, 1)
  TRACE_SPAN_SAMPLE_RATIO: number = 0;

  /**
   * What a trace answers of a failed write's exceptions: `none` (message and class only: the production default) or
   * `full` (also the stack frames, relative to the project). The local stack sets `full`.
   */
  @IsIn(['full', 'none'])
  TRACE_STACK_TRACES: 'full' | 'none' = 'none';

  /** Days of stored spans kept: older daily span indices are deleted. */
  @EnvInt(1, 3650)
  TRACE_SPAN_RETENTION_DAYS: number = 7;

  /** Finished spans waiting to be stored, per process; past it spans are dropped (and counted), never waited for. */
  @EnvInt(100, 1000000)
  TRACE_SPAN_QUEUE_MAX: number = 10000;

  /** Longest a synchronous delete waits for the consumer to apply it; past it the answer is 202 with its traceparent. */
  @EnvInt(100, 600000)
  WRITE_WAIT_MAX_MS: number = 30000;

  /** Upper bound on any one dependency call made for a health check. */
  @EnvInt(100, 60000)
  HEALTH_TIMEOUT_MS: number = 2000;
}
