export * from './decisions';
export * from './kafka';
export * from './trace-item';
export * from './trace-request';
export * from './readers/ports';
export * from './trace.service';
export * from './trace.module';
