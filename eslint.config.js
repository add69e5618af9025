import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Imports that would break the one-way arrows of src/ (see README, "Source map"). */
const forbid = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  {
    ignores: [
      'dist',
      'node_modules',
      'public/mockServiceWorker.js',
      'test-results',
      'playwright-report',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['src/client/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['src/crypto/**/*.ts', 'src/api/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid(
      ['node:*', '../server/*', '../client/*', '../cli/*', '../mocks/*'],
      'src/crypto and src/api import nothing of ours and nothing of Node.',
    ),
  },
  {
    files: ['src/client/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: forbid(
      ['node:*', '**/server/*', '**/cli/*', '**/mocks/*'],
      'The browser app never imports server code, the mock or Node (main.tsx loads the mock dynamically).',
    ),
  },
  {
    // The msw mock runs the server's own routes over an in-memory file, so it cannot drift from
    // the real API. Only the platform-neutral server modules (also in tsconfig.app.json, which
    // has no Node types) may be imported here.
    files: ['src/mocks/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid(
      [
        'node:*',
        '**/cli/*',
        '**/client/*',
        '**/server/*',
        '!**/server/app.ts',
        '!**/server/key-store.ts',
        '!**/server/memory-key-store.ts',
        '!**/server/authorized-keys-file.ts',
      ],
      'The mock may import only the platform-neutral server modules.',
    ),
  },
  {
    files: ['src/server/**/*.ts'],
    rules: forbid(
      ['**/client/*', '**/mocks/*', '**/cli/*'],
      'The server never imports the client or the CLI.',
    ),
  },
);
