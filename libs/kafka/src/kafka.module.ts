import { Global, Module } from '@nestjs/common';
import { KafkaClient } from './kafka.client';
import { TopicSetup } from './topic-setup';
import { KafkaHealth } from './kafka.health';

@Global()
@Module({
  providers: [KafkaClient, TopicSetup, KafkaHealth],
  exports: [KafkaClient, TopicSetup, KafkaHealth],
})
export class KafkaModule {}
