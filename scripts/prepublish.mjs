// `vscode:prepublish` (run by `vsce package`): production build, then ship the
// sample model inside the extension (media/samples/) so "Open Sample Model"
// works in any workspace. The copy is generated, hence git-ignored.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

// The QAT sample "Open Sample Model" opens, and the post-training one it offers through Compare.
for (const name of ['fashion-qat.tnn', 'fashion-cnn.tnn']) {
  const sample = path.join(root, 'samples', 'models', name);
  const shipped = path.join(root, 'media', 'samples', name);
  if (existsSync(sample)) {
    mkdirSync(path.dirname(shipped), { recursive: true });
    copyFileSync(sample, shipped);
    console.log(`[prepublish] shipping ${path.relative(root, sample)} as ${path.relative(root, shipped)}`);
  } else {
    rmSync(shipped, { force: true });
    console.warn(`[prepublish] samples/models/${name} missing (samples/models/README.md): the .vsix ships without it`);
  }
}
