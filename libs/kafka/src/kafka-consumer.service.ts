import { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { Settings } from '@lib/config';
import { CheckOutcome, DependencyCheck } from '@lib/health';
import { KafkaClient } from './kafka.client';
import { BatchHandler, ConsumerRunner, PoisonPolicy } from './consumer-runner';

/**
 * A consumer group member tied to the Nest lifecycle: starts after the app is up, leaves the group
 * (finishing and committing the batch in flight) on shutdown, and is healthy while it is in the group.
 */
export abstract class KafkaConsumerService extends DependencyCheck implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected readonly runner: ConsumerRunner;

  protected constructor(client: KafkaClient, settings: Settings, groupId: string, topics: string[], handler: BatchHandler, poison?: PoisonPolicy) {
    super();
    client.consumerGroups.set(groupId, topics);
    this.runner = new ConsumerRunner(client.kafka, groupId, topics, handler, { ...settings.kafka, ...settings.consumers }, poison);
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }

  async check(): Promise<CheckOutcome> {
    const state = this.runner.snapshot();
    return { up: state.joined, details: { ...state } };
  }
}
