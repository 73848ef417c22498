export * from './kafka.client';
export * from './topics';
export * from './topic-setup';
export * from './consumer-runner';
export * from './kafka-consumer.service';
export * from './kafka.module';
export * from './kafka.health';
export * from './kafka-publisher';
