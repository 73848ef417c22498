export * from './serve';
export * from './cluster';
export * from './restart-backoff';
