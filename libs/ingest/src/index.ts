export * from './proposal.processor';
export * from './mce-consumer';
export * from './mce-consumer.module';
