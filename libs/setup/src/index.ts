export * from './schema-setup';
export * from './setup.module';
