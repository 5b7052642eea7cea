// @ts-check
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import jest from 'eslint-plugin-jest';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

/**
 * The lab is an independent witness: nothing in lambdas/ reaches it, but the CLI's lab
 * command, which loads it lazily (a dynamic import) when it runs.
 */
const LAB = [
  {
    regex: '^(\\.\\./)+lab(/|$)',
    message:
      'lambdas/ shares no code with lab/ (the independent witness); only cli/ loads it, lazily: await import(...).',
  },
];

/** What the pure core must never reach for: I/O, the cloud, the environment. */
const CORE_FORBIDDEN_IMPORTS = [
  {
    name: 'undici',
    message: 'lambdas/core is pure: HTTP lives in lambdas/adapters.',
  },
  {
    name: 'aws-lambda',
    message: 'lambdas/core is pure: Lambda types live in lambdas/handlers.',
  },
  ...[
    'fs',
    'node:fs',
    'fs/promises',
    'node:fs/promises',
    'http',
    'node:http',
    'https',
    'node:https',
    'net',
    'node:net',
    'child_process',
    'node:child_process',
  ].map((name) => ({
    name,
    message: 'lambdas/core does no I/O: put it in an adapter.',
  })),
];
const CORE_FORBIDDEN_PATTERNS = [
  {
    group: ['@aws-sdk/*'],
    message: 'lambdas/core is pure: AWS SDK calls live in lambdas/adapters.',
  },
  {
    group: ['@aws-lambda-powertools/*'],
    message:
      'lambdas/core is pure: logging and metrics live in lambdas/shared.',
  },
  {
    group: ['undici/*'],
    message: 'lambdas/core is pure: HTTP lives in lambdas/adapters.',
  },
  {
    group: [
      '**/use-cases',
      '**/use-cases/**',
      '**/compose',
      '**/compose/**',
      '**/adapters/**',
      '**/handlers/**',
      '**/cli/**',
      '**/shared/observability*',
    ],
    message:
      'lambdas/core depends on nothing outside it but its ports: use-cases, compose, adapters, handlers and cli depend on it, never the reverse.',
  },
  ...LAB,
];

export default defineConfig(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      'reports/',
      'coverage/',
      '.lab/',
      '.bench/',
      'dist/',
    ],
  },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  {
    files: ['lambdas/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: CORE_FORBIDDEN_IMPORTS, patterns: CORE_FORBIDDEN_PATTERNS },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'lambdas/core reads no environment: pass values in.',
        },
        {
          object: 'Date',
          property: 'now',
          message:
            'lambdas/core reads no clock: take a `now` from the use case.',
        },
      ],
      'no-restricted-globals': [
        'error',
        {
          name: 'fetch',
          message: 'lambdas/core is pure: HTTP lives in lambdas/adapters.',
        },
        ...['setTimeout', 'setInterval', 'setImmediate'].map((name) => ({
          name,
          message:
            'lambdas/core has no timers: waiting and polling live in lambdas/use-cases.',
        })),
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'AwaitExpression, ForOfStatement[await=true]',
          message:
            'lambdas/core awaits nothing: the use cases await the ports and pass results in.',
        },
        {
          selector: ':function[async=true]',
          message:
            'lambdas/core awaits nothing: the use cases await the ports and pass results in.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message:
            'lambdas/core reads no clock: take a `now` from the use case.',
        },
      ],
    },
  },
  {
    files: ['lambdas/**/*.ts'],
    ignores: ['lambdas/core/**', 'lambdas/cli/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: LAB }],
    },
  },
  {
    files: ['lambdas/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: LAB.map((p) => ({ ...p, allowTypeImports: true })) },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    plugins: { jest },
    rules: {
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      'jest/no-identical-title': 'error',
      'jest/valid-expect': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier
);
