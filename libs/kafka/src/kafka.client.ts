import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Admin, Kafka, logLevel, LogEntry, Partitioners, Producer } from 'kafkajs';
import { Settings } from '@lib/config';
import { withTimeout } from '@lib/common';
import { kafkaConnectionOptions } from './kafka-connection';

const LEVELS: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/**
 * The one place that talks to the Kafka cluster: a kafkajs client with a lazily connected,
 * shared admin and producer. A failed connect is forgotten so that the next call retries; once
 * connected, kafkajs itself reconnects to brokers that went away.
 */
@Injectable()
export class KafkaClient implements OnModuleDestroy {
  private readonly logger = new Logger('Kafka');
  readonly kafka: Kafka;
  private admin?: Promise<Admin>;
  private producer?: Promise<Producer>;
  /** The consumer groups this process runs, with their topics (for kafka_consumer_lag). */
  readonly consumerGroups = new Map<string, string[]>();

  constructor(private readonly settings: Settings) {
    this.kafka = new Kafka({
      clientId: settings.kafka.clientId,
      brokers: settings.kafka.brokers,
      ...kafkaConnectionOptions(settings.kafka.security),
      connectionTimeout: 3000,
      requestTimeout: 10000,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        // Connection errors are retried and surface through health and setup; logging each retry would drown the log.
        const noisy = entry.namespace === 'Connection' || entry.namespace === 'BrokerPool';
        const level = noisy ? 'debug' : (LEVELS[entry.level] ?? 'log');
        const { message, stack: _stack, timestamp: _ts, logger: _l, ...rest } = entry.log as Record<string, unknown>;
        this.logger[level](`${entry.namespace}: ${String(message)} ${JSON.stringify(rest)}`);
      },
    });
  }

  /** The shared admin client, connected on first use within `timeoutMs`. */
  async getAdmin(timeoutMs = 5000): Promise<Admin> {
    this.admin ??= this.connect(
      () => this.kafka.admin(),
      timeoutMs,
      'Kafka admin',
      () => (this.admin = undefined),
    );
    return this.admin;
  }

  /** The shared producer (murmur2 default partitioner, acks from all in-sync replicas). */
  async getProducer(timeoutMs = 5000): Promise<Producer> {
    this.producer ??= this.connect(
      () => this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false }),
      timeoutMs,
      'Kafka producer',
      () => (this.producer = undefined),
    );
    return this.producer;
  }

  private async connect<T extends Admin | Producer>(make: () => T, timeoutMs: number, what: string, forget: () => void): Promise<T> {
    const client = make();
    try {
      await withTimeout(client.connect(), timeoutMs, what);
      return client;
    } catch (err) {
      forget();
      void client.disconnect().catch(() => undefined);
      throw err;
    }
  }

  async onModuleDestroy(): Promise<void> {
    const pending = [this.admin, this.producer].filter(Boolean) as Promise<Admin | Producer>[];
    this.admin = this.producer = undefined;
    await Promise.all(pending.map((p) => p.then((c) => c.disconnect()).catch(() => undefined)));
  }
}
