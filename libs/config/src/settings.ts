import { Env } from './env';

export type ConsumerName = 'mce' | 'mae';

/** How the Kafka clients connect (KAFKA_SECURITY_PROTOCOL and its companions); the files are paths, read when a client is made. */
export interface KafkaSecurity {
  protocol: Env['KAFKA_SECURITY_PROTOCOL'];
  /** SASL_SSL and SASL_PLAINTEXT only. */
  sasl?: { mechanism: Exclude<Env['KAFKA_SASL_MECHANISM'], ''>; username: string; password: string };
  /** SSL and SASL_SSL only: the CA to check the brokers' certificates against (else the system's), a client certificate and key. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/** TLS to MySQL (MYSQL_SSL, MYSQL_SSL_CA_FILE). */
export interface MysqlTls {
  mode: Env['MYSQL_SSL'];
  caFile?: string;
}

/** The validated configuration, grouped by the system it concerns. Injected as a Nest provider. */
export class Settings {
  readonly http: { host: string; port: number; workers: number; mceConsumerPort: number; maeConsumerPort: number; shutdownAcceptMs: number };
  readonly embeddedConsumers: ConsumerName[];
  readonly setupOnStart: boolean;
  readonly logLevel: string;
  readonly logFormat: 'text' | 'json';
  readonly entityRegistryPath?: string;
  readonly limits: { maxRequestBytes: number; maxBatchAspects: number; maxAspectBytes: number };
  readonly healthTimeoutMs: number;
  readonly kafka: {
    brokers: string[];
    clientId: string;
    partitions: number;
    replicationFactor: number;
    produceTimeoutMs: number;
    sessionTimeoutMs: number;
    rebalanceTimeoutMs: number;
    partitionsConcurrency: number;
    security: KafkaSecurity;
  };
  /** How consumers batch: what one fetch waits for, and the bounds of one SQL transaction or bulk request. */
  readonly consumers: { batchMaxMessages: number; batchMaxBytes: number; batchMaxWaitMs: number; fetchMinBytes: number };
  readonly topics: { mcp: string; failedMcp: string; failedMcl: string; mclVersioned: string; mclTimeseries: string };
  readonly groups: { mce: string; mae: string };
  /** A consumer batch failing with something other than a dependency fault: tries, and the pause before the first retry (doubling). */
  readonly poison: { attempts: number; backoffMs: number };
  /** The consumer-group monitor's sampling interval and window (samples). */
  readonly consumerMonitor: { intervalMs: number; windowSize: number };
  /** Refuse asynchronous writes (429) while the MCE group is this far behind; 0 = that bound is off. */
  readonly backpressure: { maxLag: number; maxWaitMs: number };
  /** Spans stored in OpenSearch: the sampled share of all traces (those that asked for the trace log always are). */
  readonly spans: { sampleRatio: number; retentionDays: number; queueMax: number };
  readonly mysql: { host: string; port: number; user: string; password: string; database: string; poolSize: number; tls: MysqlTls };
  /** `username`/`password`: basic authentication; `caFile`: the CA an https URL's certificate is checked against. */
  readonly search: { url: string; indexPrefix: string; replicas: number; username?: string; password?: string; caFile?: string };
  readonly auth: { enabled: boolean; jwtSecret?: string; jwksUrl?: string; issuer?: string; audience?: string };
  readonly trace: {
    maxUrns: number;
    maxPairs: number;
    kafkaMaxInFlight: number;
    kafkaQueueMs: number;
    offsetCacheTtlMs: number;
    offsetCacheMax: number;
    kafkaMaxMessages: number;
    kafkaMaxMillis: number;
    kafkaConcurrency: number;
    deadlineMs: number;
    kafkaPollMs: number;
    storeTimeoutMs: number;
    /** Longest a write waits to be applied (a synchronous delete). */
    writeWaitMaxMs: number;
    /** A trace's wait for its PENDING writes when the request gives no waitMs (ms; 0 = answer at once). */
    defaultWaitMs: number;
    /** Most trace requests held waiting at once. */
    maxWaiters: number;
    /** Interval of the shared committed-offset watcher of waiting traces. */
    waitPollMs: number;
    /** Stack frames in a trace's writeExceptions: `full` (relative to the project) or `none`. */
    stackTraces: 'full' | 'none';
  };

  constructor(env: Env) {
    this.http = {
      host: env.HOST,
      port: env.PORT,
      workers: env.GMS_WORKERS,
      mceConsumerPort: env.MCE_CONSUMER_PORT,
      maeConsumerPort: env.MAE_CONSUMER_PORT,
      shutdownAcceptMs: env.SHUTDOWN_ACCEPT_MS,
    };
    this.embeddedConsumers = env.RUN_CONSUMERS.split(',').filter((c): c is ConsumerName => c === 'mce' || c === 'mae');
    this.setupOnStart = env.SETUP_ON_START;
    this.logLevel = env.LOG_LEVEL;
    this.logFormat = env.LOG_FORMAT === 'json' ? 'json' : 'text';
    this.entityRegistryPath = env.ENTITY_REGISTRY_PATH || undefined;
    this.limits = { maxRequestBytes: env.MAX_REQUEST_BYTES, maxBatchAspects: env.MAX_BATCH_ASPECTS, maxAspectBytes: env.MAX_ASPECT_BYTES };
    this.healthTimeoutMs = env.HEALTH_TIMEOUT_MS;
    this.kafka = {
      brokers: env.KAFKA_BROKERS.split(','),
      clientId: env.KAFKA_CLIENT_ID,
      partitions: env.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
      produceTimeoutMs: env.KAFKA_PRODUCE_TIMEOUT_MS,
      sessionTimeoutMs: env.KAFKA_CONSUMER_SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: env.KAFKA_CONSUMER_REBALANCE_TIMEOUT_MS,
      partitionsConcurrency: env.KAFKA_CONSUMER_PARTITIONS_CONCURRENCY,
      security: kafkaSecurity(env),
    };
    this.consumers = {
      batchMaxMessages: env.CONSUMER_BATCH_MAX_MESSAGES,
      batchMaxBytes: env.CONSUMER_BATCH_MAX_BYTES,
      batchMaxWaitMs: env.CONSUMER_BATCH_MAX_WAIT_MS,
      fetchMinBytes: env.CONSUMER_FETCH_MIN_BYTES,
    };
    this.topics = {
      mcp: env.TOPIC_MCP,
      failedMcp: env.TOPIC_FAILED_MCP,
      failedMcl: env.TOPIC_FAILED_MCL,
      mclVersioned: env.TOPIC_MCL_VERSIONED,
      mclTimeseries: env.TOPIC_MCL_TIMESERIES,
    };
    this.groups = { mce: env.MCE_CONSUMER_GROUP, mae: env.MAE_CONSUMER_GROUP };
    this.poison = { attempts: env.CONSUMER_POISON_ATTEMPTS, backoffMs: env.CONSUMER_POISON_BACKOFF_MS };
    this.consumerMonitor = { intervalMs: env.CONSUMER_MONITOR_INTERVAL_MS, windowSize: env.CONSUMER_MONITOR_WINDOW };
    this.backpressure = { maxLag: env.BACKPRESSURE_MAX_LAG, maxWaitMs: env.BACKPRESSURE_MAX_WAIT_MS };
    this.spans = { sampleRatio: env.TRACE_SPAN_SAMPLE_RATIO, retentionDays: env.TRACE_SPAN_RETENTION_DAYS, queueMax: env.TRACE_SPAN_QUEUE_MAX };
    this.mysql = {
      host: env.MYSQL_HOST,
      port: env.MYSQL_PORT,
      user: env.MYSQL_USER,
      password: env.MYSQL_PASSWORD,
      database: env.MYSQL_DATABASE,
      poolSize: env.MYSQL_POOL_SIZE,
      tls: { mode: env.MYSQL_SSL, caFile: env.MYSQL_SSL_CA_FILE || undefined },
    };
    this.trace = {
      maxUrns: env.TRACE_MAX_URNS,
      maxPairs: env.TRACE_MAX_PAIRS,
      kafkaMaxInFlight: env.TRACE_KAFKA_MAX_INFLIGHT,
      kafkaQueueMs: env.TRACE_KAFKA_QUEUE_MS,
      offsetCacheTtlMs: env.TRACE_OFFSET_CACHE_TTL_MS,
      offsetCacheMax: env.TRACE_OFFSET_CACHE_MAX,
      kafkaMaxMessages: env.TRACE_KAFKA_MAX_MESSAGES,
      kafkaMaxMillis: env.TRACE_KAFKA_MAX_MILLIS,
      kafkaConcurrency: env.TRACE_KAFKA_CONCURRENCY,
      deadlineMs: env.TRACE_DEADLINE_MS,
      kafkaPollMs: env.TRACE_KAFKA_POLL_MS,
      storeTimeoutMs: env.TRACE_STORE_TIMEOUT_MS,
      writeWaitMaxMs: env.WRITE_WAIT_MAX_MS,
      defaultWaitMs: env.TRACE_DEFAULT_WAIT_MS,
      maxWaiters: env.TRACE_MAX_WAITERS,
      waitPollMs: env.TRACE_WAIT_POLL_MS,
      stackTraces: env.TRACE_STACK_TRACES,
    };
    this.auth = {
      enabled: env.AUTH_ENABLED,
      jwtSecret: env.AUTH_JWT_SECRET || undefined,
      jwksUrl: env.AUTH_JWKS_URL || undefined,
      issuer: env.AUTH_ISSUER || undefined,
      audience: env.AUTH_AUDIENCE || undefined,
    };
    this.search = {
      url: env.OPENSEARCH_URL,
      indexPrefix: env.OPENSEARCH_INDEX_PREFIX,
      replicas: env.OPENSEARCH_REPLICAS,
      username: env.OPENSEARCH_USERNAME || undefined,
      password: env.OPENSEARCH_PASSWORD || undefined,
      caFile: env.OPENSEARCH_SSL_CA_FILE || undefined,
    };
  }
}

function kafkaSecurity(env: Env): KafkaSecurity {
  const protocol = env.KAFKA_SECURITY_PROTOCOL;
  const security: KafkaSecurity = { protocol };
  if ((protocol === 'SASL_SSL' || protocol === 'SASL_PLAINTEXT') && env.KAFKA_SASL_MECHANISM) {
    security.sasl = { mechanism: env.KAFKA_SASL_MECHANISM, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD };
  }
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    security.tls = { caFile: env.KAFKA_SSL_CA_FILE || undefined, certFile: env.KAFKA_SSL_CERT_FILE || undefined, keyFile: env.KAFKA_SSL_KEY_FILE || undefined };
  }
  return security;
}
