export * from './sql.pool';
export * from './schema';
export * from './sql-setup';
export * from './sql.health';
export * from './sql.module';
export * from './transaction';
export * from './aspect-row';
export * from './aspect.repository';
