// @vscode/test-cli configuration (`npm run test:desktop`): runs the same
// integration suites as the code-server harness (test/run-codeserver.mjs), but in
// desktop VS Code downloaded by @vscode/test-electron. Needs network access to
// update.code.visualstudio.com (or VSCODE_EXECUTABLE: a local VS Code binary);
// on Linux without a display run it under `xvfb-run -a`.
import { defineConfig } from '@vscode/test-cli';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const userDataDir = path.join(root, '.vscode-test', 'desktop-ud');
mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
// The tests open what they test: no sample opening by itself on the first start.
writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ 'tritscope.openSampleOnFirstStart': false }, null, 2));
// A scratch copy of samples/, as test/run-codeserver.mjs opens: test artifacts never land in samples/.tritscope/.
const workspace = path.join(root, '.vscode-test', 'desktop-workspace', 'samples');
rmSync(path.dirname(workspace), { recursive: true, force: true });
cpSync(path.join(root, 'samples'), workspace, { recursive: true, filter: (src) => path.basename(src) !== '.tritscope' });

export default defineConfig({
  label: 'integration',
  // Bundled by esbuild.mjs from test/integration/suite/*.test.ts (tdd UI: suite/test).
  files: 'out/test/integration/suite/**/*.test.js',
  extensionDevelopmentPath: root,
  workspaceFolder: workspace,
  env: { TRITSCOPE_REPO_ROOT: root },
  version: process.env.VSCODE_VERSION ?? 'stable',
  ...(process.env.VSCODE_EXECUTABLE ? { useInstallation: { fromPath: process.env.VSCODE_EXECUTABLE } } : {}),
  launchArgs: ['--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', userDataDir],
  mocha: { ui: 'tdd', timeout: 60_000, color: true },
});
