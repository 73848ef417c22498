import { Injectable } from '@nestjs/common';
import { Settings } from '@lib/config';
import { withTimeout } from '@lib/common';
import { CheckOutcome, DependencyCheck } from '@lib/health';
import { KafkaClient } from './kafka.client';

@Injectable()
export class KafkaHealth extends DependencyCheck {
  readonly name = 'kafka';

  constructor(
    private readonly client: KafkaClient,
    private readonly settings: Settings,
  ) {
    super();
  }

  async check(): Promise<CheckOutcome> {
    const timeout = this.settings.healthTimeoutMs;
    const admin = await this.client.getAdmin(timeout);
    const cluster = await withTimeout(admin.describeCluster(), timeout, 'Kafka');
    return { up: true, details: { brokers: cluster.brokers.length, controller: cluster.controller } };
  }
}
