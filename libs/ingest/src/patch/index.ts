export * from './json-pointer';
export * from './patch-document';
export * from './json-patch';
export * from './keyed-arrays';
export * from './aspect-patch';
