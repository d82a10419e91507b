// Lint rules for the whole project. Workflow code gets an extra guard: Node built-ins and non-workflow Temporal packages
// are refused there at lint time, before the bundler would refuse them at worker start.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.data/', 'dist/', 'coverage/', 'test/fixtures/forbidden-import-workflow.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The web app runs in the browser: its globals, and none of Node's (a page has no process, Buffer or require).
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: {
      globals: {
        ...Object.fromEntries(Object.keys(globals.node).filter((name) => !(name in globals.browser)).map((name) => [name, 'off'])),
        ...globals.browser,
      },
    },
  },
  {
    // CommonJS preloads (node --require), loaded before any TypeScript loader could run.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests read JSON bodies of many shapes; typing each would say nothing the assertions don't.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'child_process', 'http', 'https', 'net', 'os', 'crypto'], message: 'workflow and domain code must stay free of I/O' },
            { group: ['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'], message: 'not allowed in workflow code' },
          ],
        },
      ],
    },
  },
);
