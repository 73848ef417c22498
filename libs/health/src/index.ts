export * from './dependency-check';
export * from './health.controller';
export * from './health.module';
