export * from './trace-id-time';
export * from './time-prefixed-id-generator';
export * from './traceparent';
export * from './trace-id-param';
