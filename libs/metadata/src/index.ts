export * from './types';
export * from './exception-json';
export * from './urn';
export * from './registry-file';
export * from './aspect-validator';
export * from './index-names';
export * from './entity-registry';
export * from './registry-loader';
