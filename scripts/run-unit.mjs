// Runs the unit tests (node's built-in test runner) on the bundles esbuild.mjs wrote to out/test/unit.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';

const dir = 'out/test/unit';
const walk = (d) => readdirSync(d).flatMap((n) => { const p = path.join(d, n); return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.js') ? [p] : []; });
const files = existsSync(dir) ? walk(dir) : [];
if (!files.length) { console.error('no unit test bundles in out/test/unit (run node esbuild.mjs)'); process.exit(1); }
const filter = process.argv.slice(2);
const chosen = filter.length ? files.filter((f) => filter.some((s) => f.includes(s))) : files;
// with no files node --test would search the whole tree, so an unmatched filter is an error
if (!chosen.length) { console.error(`no unit test bundle matches ${filter.join(', ')} (run node esbuild.mjs?)`); process.exit(1); }
const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=2', ...chosen], { stdio: 'inherit' });
process.exit(r.status ?? 1);
