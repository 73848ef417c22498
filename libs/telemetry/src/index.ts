export * from './ids';
export * from './tracing';
