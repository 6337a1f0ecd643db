// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/** Boundary rules from STYLE.md: only electron/ imports electron; protocol/ does no I/O; renderer/ sees protocol types only. */
const nodeIo = [
  'fs',
  'node:*',
  'net',
  'http',
  'https',
  'child_process',
  'better-sqlite3',
  'kysely',
  '@napi-rs/keyring',
  'fastify',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'test-results/', 'playwright-report/', 'bin/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Only electron/ may import electron.' }] },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'e2e/**', 'bench/**', 'scripts/**', 'demo/test-*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['cli/**', 'bench/**', 'scripts/**', 'demo/**'], rules: { 'no-console': 'off' } },
  {
    files: ['electron/**'],
    rules: {
      'no-restricted-imports': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='BrowserWindow']",
          message: 'Create windows only through createSecureWindow() in electron/secure-window.ts.',
        },
        {
          selector: "MemberExpression[object.name='ipcMain']",
          message: 'Use the typed IPC bridge in electron/ipc-bridge.ts.',
        },
        {
          selector: "MemberExpression[object.name='ipcRenderer']",
          message: 'Use the typed preload bridge.',
        },
      ],
    },
  },
  {
    files: ['electron/secure-window.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['electron/ipc-bridge.ts', 'electron/preload.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['protocol/**'],
    ignores: ['protocol/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['electron', ...nodeIo.filter((p) => !p.includes('*'))], patterns: ['node:*'] },
      ],
    },
  },
  {
    // The access gate and the error body shared by the broker and the console: Fastify hooks over
    // request objects, imported by both, so it imports neither (nor anything else of the app).
    files: ['http-gate/**'],
    ignores: ['http-gate/**/*.test.ts', 'http-gate/**/*.test-support.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron'],
          patterns: [
            {
              group: [
                '**/agent/**',
                '**/broker/**',
                '**/cli/**',
                '**/electron/**',
                '**/renderer/**',
                '**/demo/**',
              ],
              message:
                'http-gate/ is shared by agent/ and broker/; it imports only protocol/ and libraries.',
            },
          ],
        },
      ],
    },
  },
  ...[
    ['agent', 'broker'],
    ['broker', 'agent'],
  ].map(([from, other]) => ({
    files: [`${from}/**`],
    ignores: ['**/*.test.ts', '**/*.test-support.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Only electron/ may import electron.' }],
          patterns: [
            {
              group: [`**/${other}/**`],
              message: `${from}/ does not import ${other}/; share code through http-gate/ or protocol/.`,
            },
          ],
        },
      ],
    },
  })),
  {
    files: ['renderer/**'],
    ignores: ['renderer/**/*.test.ts', 'renderer/**/*.test.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', ...nodeIo.filter((p) => !p.includes('*'))],
          patterns: [
            { group: ['node:*'], message: 'renderer/ runs in the browser.' },
            {
              group: ['**/agent/**', '**/broker/**', '**/cli/**', '**/electron/**'],
              message: 'renderer/ talks only to window.hourglass and imports protocol/ types.',
            },
          ],
        },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },
);
