export * from './consumer-state';
export * from './consumer-group-monitor';
export * from './consumer-monitor.module';
