export * from './search.client';
export * from './index-definitions';
export * from './search-setup';
export * from './search.health';
export * from './search.module';
