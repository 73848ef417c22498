export * from './ids';
export * from './tracing';
export * from './logging';
