export * from './timeout';
export * from './retry';
export * from './shutdown';
export * from './public-route';
export * from './http-drain';
export * from './chunks';
export * from './result';
export * from './redact';
