import tseslint from 'typescript-eslint';

// The layering of docs/architecture.md, enforced on src/ and webview/ (tests may reach into any module).
// Each rule matches the import specifier; relative imports name the folders they cross ('../extension/…').
const layer = (dir, why) => ({ regex: `(^|/)${dir}(/|$)`, message: why });
const EXTENSION = layer('extension', 'only src/extension may use the VS Code glue; move shared code to core or shared');
const CLI = layer('cli', 'the CLI is an entry point; nothing imports it');
const DEBUG = layer('debug', 'only the extension and the inference worker host the debugger');
const WORKERS = layer('workers', 'workers are entry points (dist/workers/*.js), started by path, never imported');
const SHARED = layer('shared', 'core does not depend on the protocols; the protocols depend on core (types only)');
const MEDIA = { regex: '(^|/)media/', message: 'media/ holds the extension\'s UI assets; data of core lives in core' };
const FORMAT_INTERNALS = {
  regex: '(^|/)format/(?!index$)[^/]+$',
  message: 'outside src/core/format, import the .tnn format only through format/index.ts',
};
const NODE = { regex: '^node:', message: 'src/shared is bundled into the webview too: no Node modules' };
const CORE_TYPES_ONLY = { regex: '(^|/)core/', allowTypeImports: true, message: 'src/shared may import core types, never core code' };
const SHARED_ONLY = { regex: '(^|/)src/(?!shared/)', message: 'the webview imports only src/shared' };

const restrict = (patterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'only src/extension imports vscode' }], patterns }],
});
const restrictAllowVscode = (patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'samples/**', 'test-results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  { files: ['src/core/**/*.ts'], ignores: ['src/core/format/**'], rules: restrict([EXTENSION, CLI, DEBUG, WORKERS, SHARED, MEDIA, FORMAT_INTERNALS]) },
  { files: ['src/core/format/**/*.ts'], rules: restrict([EXTENSION, CLI, DEBUG, WORKERS, SHARED, MEDIA]) },
  { files: ['src/cli/**/*.ts'], rules: restrict([EXTENSION, DEBUG, WORKERS, MEDIA, FORMAT_INTERNALS]) },
  { files: ['src/debug/**/*.ts'], rules: restrict([EXTENSION, CLI, WORKERS, MEDIA, FORMAT_INTERNALS]) },
  { files: ['src/workers/**/*.ts'], rules: restrict([EXTENSION, CLI, MEDIA, FORMAT_INTERNALS]) },
  { files: ['src/shared/**/*.ts'], rules: restrict([EXTENSION, CLI, DEBUG, WORKERS, MEDIA, NODE, CORE_TYPES_ONLY]) },
  { files: ['src/extension/**/*.ts'], rules: restrictAllowVscode([CLI, WORKERS, MEDIA, FORMAT_INTERNALS]) },
  { files: ['webview/**/*.ts'], rules: restrict([SHARED_ONLY]) },
);
