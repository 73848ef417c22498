export * from './change-log.processor';
export * from './mae-consumer';
export * from './mae-consumer.module';
