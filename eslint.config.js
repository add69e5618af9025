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
    files: ['src/crypto/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid(
      [
        'node:*',
        '**/api/**',
        '**/openssh/**',
        '**/server/**',
        '**/client/**',
        '**/cli/**',
        '**/mocks/**',
        '**/testing/**',
      ],
      'src/crypto imports nothing of ours and nothing of Node.',
    ),
  },
  {
    files: ['src/openssh/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid(
      [
        'node:*',
        '**/api/**',
        '**/server/**',
        '**/client/**',
        '**/cli/**',
        '**/mocks/**',
        '**/testing/**',
      ],
      'src/openssh imports only src/crypto, and nothing of Node.',
    ),
  },
  {
    files: ['src/api/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid(
      ['node:*', '**/server/**', '**/client/**', '**/cli/**', '**/mocks/**', '**/testing/**'],
      'src/api imports only src/crypto and src/openssh, and nothing of Node.',
    ),
  },
  {
    files: ['src/client/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: forbid(
      ['node:*', '**/server/**', '**/cli/**', '**/mocks/**', '**/testing/**'],
      'The browser app never imports server code, the mock, test helpers or Node (main.tsx loads the mock dynamically).',
    ),
  },
  {
    // The msw mock runs the server's own routes over an in-memory file, so it cannot drift from
    // the real API: only the platform-neutral folders of the server.
    files: ['src/mocks/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid(
      [
        'node:*',
        '**/cli/**',
        '**/client/**',
        '**/testing/**',
        '**/server/node/**',
        '**/server/auth/**',
      ],
      'The mock may import only the platform-neutral server folders (http, keys-file, store, last-use).',
    ),
  },
  {
    files: ['src/cli/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid(
      ['**/client/**', '**/mocks/**', '**/testing/**'],
      'The command line never imports the client, the mock or test helpers.',
    ),
  },
  {
    files: ['src/server/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid(
      ['**/client/**', '**/mocks/**', '**/cli/**', '**/testing/**'],
      'The server never imports the client, the command line, the mock or test helpers.',
    ),
  },
  {
    // Platform-neutral: the Node server and the msw mock both run these folders (a later block
    // replaces the rule of an earlier one, so this one repeats the server's).
    files: ['src/server/{http,keys-file,store,last-use}/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid(
      [
        'node:*',
        '**/client/**',
        '**/mocks/**',
        '**/cli/**',
        '**/testing/**',
        '**/node/**',
        '**/auth/**',
      ],
      'server/http, keys-file, store and last-use are platform-neutral: no Node, no server/node or server/auth.',
    ),
  },
);
