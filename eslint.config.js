import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The walls between the layers: engine ← app ← adapters, edge and composition ← functions and cli. Each layer may
// import only the layers to its left (and lib/errors.ts); nothing in production imports lib/dev or the tests.
// test/cli/walls.test.ts proves the rule is live.
const UPPER = {
  app: { group: ['**/app/**', '**/app'], message: 'lib/engine is pure: it may not import the application layer (lib/app).' },
  adapters: {
    group: ['**/adapters/**'],
    message: 'Only the edge, the composition roots and the functions may use adapters (lib/adapters).',
  },
  edge: { group: ['**/edge/**'], message: 'The typed edge (lib/edge) is used by the functions only.' },
  composition: { group: ['**/composition*'], message: 'Only functions and the CLI may import a composition root.' },
  config: { group: ['**/config.js'], message: 'Configuration is read by the composition roots, not by the engine or the use cases.' },
  functions: { group: ['**/functions/**'], message: 'Nothing imports a Lambda handler (functions/) but the dev demo and the tests.' },
  cli: { group: ['**/cli/**'], message: 'Nothing imports the CLI (lib/cli) but the dev demo and the tests.' },
  dev: { group: ['**/dev/**', '**/test/**'], message: 'Production code may not import dev-only code (lib/dev) or the tests.' },
  sdk: {
    group: ['@aws-sdk/*', '@slack/*', '@aws-lambda-powertools/*', '@middy/*', 'zod', 'aws-lambda'],
    message: 'The engine and the use cases talk to the world through ports (lib/app/ports.ts), never through an SDK.',
  },
};
const walls = (...names) => ({ 'no-restricted-imports': ['error', { patterns: names.map((n) => UPPER[n]) }] });

export default tseslint.config(
  { ignores: ['node_modules/', '.serverless/', '.esbuild/', 'dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['lib/engine/**/*.ts'], rules: walls('app', 'adapters', 'edge', 'composition', 'config', 'functions', 'cli', 'dev', 'sdk') },
  { files: ['lib/app/**/*.ts'], rules: walls('adapters', 'edge', 'composition', 'config', 'functions', 'cli', 'dev', 'sdk') },
  { files: ['lib/adapters/**/*.ts'], rules: walls('edge', 'composition', 'config', 'functions', 'cli', 'dev') },
  { files: ['lib/edge/**/*.ts'], rules: walls('composition', 'config', 'functions', 'cli', 'dev') },
  { files: ['lib/composition*.ts', 'lib/config.ts'], rules: walls('edge', 'functions', 'cli', 'dev') },
  { files: ['functions/**/*.ts'], rules: walls('cli', 'dev') },
  { files: ['lib/cli/**/*.ts'], rules: walls('edge', 'functions', 'dev') },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
