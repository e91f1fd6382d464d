// Rewrites the parts of package.json derived from the quantizer registry: the
// `tritscope` task definition's `method` property (its enum and description).
// `node scripts/sync-package-json.mjs` writes it; `--check` only reports a
// difference (exit 1). A unit test (test/unit/quantize/jobArgs.test.ts) fails
// while package.json and the registry disagree.
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const bundle = path.join(root, 'out/scripts/task-schema.cjs');
mkdirSync(path.dirname(bundle), { recursive: true });
await esbuild.build({
  stdin: { contents: "export { methodTaskSchema } from './src/extension/quantize/jobArgs';", resolveDir: root, loader: 'ts' },
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', outfile: bundle, logLevel: 'warning',
});
const { methodTaskSchema } = createRequire(import.meta.url)(bundle);
const file = path.join(root, 'package.json');
const text = readFileSync(file, 'utf8');
const pkg = JSON.parse(text);
const def = pkg.contributes.taskDefinitions.find((d) => d.type === 'tritscope');
def.properties.method = methodTaskSchema();
const next = `${JSON.stringify(pkg, null, 2)}\n`;
if (next === text) { console.log('package.json: task schema up to date'); process.exit(0); }
if (process.argv.includes('--check')) { console.error('package.json: the tritscope task\'s "method" differs from the quantizer registry (run node scripts/sync-package-json.mjs)'); process.exit(1); }
writeFileSync(`${file}.tmp`, next);
renameSync(`${file}.tmp`, file);
console.log('package.json: task schema updated from the quantizer registry');
