// `npm run conformance`: builds, runs the ONNX node conformance suite (test/unit/conformance) and
// rewrites its table in docs/importers.md from the results. The suite itself (run by `npm test`)
// fails when the table and the code disagree.
import { spawnSync } from 'node:child_process';

const node = process.execPath;
const build = spawnSync(node, ['esbuild.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const r = spawnSync(node, ['--enable-source-maps', '--test', 'out/test/unit/conformance/onnx-node.test.js'], {
  stdio: 'inherit',
  env: { ...process.env, TRITSCOPE_WRITE_CONFORMANCE: '1' },
});
process.exit(r.status ?? 1);
