export * from './tracing';
export * from './trace-log-flag';
export * from './http-tracing.middleware';
export * from './trace-log.processor';
export * from './consumer-span';
export * from './span-store.processor';
export * from './otlp-intake';
