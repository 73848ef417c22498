// End-to-end tests: against the real local stack (Kafka, MySQL, OpenSearch) and the built apps.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('../tsconfig.json');

module.exports = {
  rootDir: '..',
  roots: ['<rootDir>/test'],
  testRegex: '\\.e2e-spec\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  testEnvironment: 'node',
  testTimeout: 120000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Before the suite's own imports: stackEnv() must see the environment as it was before any Nest ConfigModule ran.
  setupFiles: ['<rootDir>/support/stack-env.ts'],
};
