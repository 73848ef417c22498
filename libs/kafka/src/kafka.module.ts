import { Global, Module } from '@nestjs/common';
import { KafkaClient } from './kafka.client';
import { TopicSetup } from './topic-setup';
import { KafkaHealth } from './kafka.health';
import { KafkaPublisher } from './kafka-publisher';
import { ConsumerLagMetrics } from './consumer-lag';
import { ProducedMessages } from './produced-messages';

@Global()
@Module({
  providers: [KafkaClient, TopicSetup, KafkaHealth, KafkaPublisher, ConsumerLagMetrics, ProducedMessages],
  exports: [KafkaClient, TopicSetup, KafkaHealth, KafkaPublisher, ProducedMessages],
})
export class KafkaModule {}
