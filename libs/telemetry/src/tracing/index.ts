export * from './tracing';
export * from './trace-log-flag';
export * from './http-tracing.middleware';
