export * from './env';
export * from './validate-env';
export * from './settings';
export * from './settings.module';
export * from './load-settings';
export * from './log-levels';
