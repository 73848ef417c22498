// Lint: typescript-eslint's recommended rules with type information, plus the checks this codebase relies on:
// no unused code, no forgotten promises, declared return types on exported functions.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.stack/**', 'coverage/**', 'bench/results/**', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      // Inputs are checked for control characters on purpose (URNs, tokens): such regexes are the point.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**', 'bench/**', 'support/**', '**/testing/**'],
    rules: { '@typescript-eslint/explicit-module-boundary-types': 'off' },
  },
);
