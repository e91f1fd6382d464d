// Builds every bundle of Tritscope. `node esbuild.mjs [--watch] [--production]`.
//  - dist/extension.js      extension host (CommonJS, node, `vscode` external)
//  - dist/webview.js/.css   the custom editor UI (browser IIFE)
//  - dist/debugAdapter.js   standalone stdio Debug Adapter (any DAP client)
//  - dist/cli.js            the `tritscope` CLI
//  - dist/workers/*.js      worker_threads / child-process entries (heavy compute off the host thread)
//  - out/test/**            unit, integration and e2e test bundles (never shipped)
// `.wat` imports are assembled with wabt at build time into WebAssembly bytes.
// tfjs-backend-wasm's .wasm binaries are copied into dist/ and loaded from there.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const root = path.dirname(new URL(import.meta.url).pathname);

/** Compile WebAssembly text to bytes at build time; the bundle embeds them. */
const watPlugin = {
  name: 'wat',
  setup(build) {
    build.onLoad({ filter: /\.wat$/ }, async (args) => {
      const wabt = await (await import('wabt')).default();
      const text = readFileSync(args.path, 'utf8');
      const mod = wabt.parseWat(args.path, text, { simd: true, bulk_memory: true, mutable_globals: true, sign_extension: true });
      mod.validate();
      const { buffer } = mod.toBinary({});
      mod.destroy();
      return { contents: buffer, loader: 'binary' };
    });
  },
};

/** Report build errors in a form the VS Code problem matcher understands. */
const problemPlugin = {
  name: 'problems',
  setup(build) {
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
    });
  },
};

/**
 * `import src from './x.ts?worker'`: bundles x.ts as its own browser IIFE and
 * imports the result as a string (a webview starts it from a blob: URL; loading
 * a second script from the extension's origin into a Worker is cross-origin there).
 */
const inlineWorkerPlugin = {
  name: 'inline-worker',
  setup(build) {
    build.onResolve({ filter: /\?worker$/ }, (args) => ({
      path: path.resolve(args.resolveDir, args.path.slice(0, -'?worker'.length)),
      namespace: 'inline-worker',
    }));
    build.onLoad({ filter: /.*/, namespace: 'inline-worker' }, async (args) => {
      const r = await esbuild.build({
        entryPoints: [args.path], bundle: true, write: false, metafile: true, platform: 'browser', target: 'es2022',
        format: 'iife', minify: production, keepNames: true, logLevel: 'warning', absWorkingDir: root,
      });
      return { contents: r.outputFiles[0].text, loader: 'text', watchFiles: Object.keys(r.metafile.inputs).map((f) => path.resolve(root, f)) };
    });
  },
};

function walk(dir, pred) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p, pred) : pred(p) ? [p] : [];
  });
}

const common = {
  bundle: true,
  // Error subclasses report their class name (TnnFormatError…) even in minified builds.
  keepNames: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  plugins: [watPlugin, inlineWorkerPlugin, problemPlugin],
  absWorkingDir: root,
};
// tfjs-node is an optional native fast path: never bundled, required at run time if present.
const nodeExternal = ['vscode', '@tensorflow/tfjs-node'];
const nodeCommon = { ...common, platform: 'node', target: 'node20', format: 'cjs', external: nodeExternal };

const configs = [];
const add = (cfg) => configs.push(cfg);

if (existsSync(path.join(root, 'src/extension/extension.ts')))
  add({ ...nodeCommon, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist' });
if (existsSync(path.join(root, 'src/debug/main.ts')))
  add({ ...nodeCommon, entryPoints: { debugAdapter: 'src/debug/main.ts' }, outdir: 'dist' });
if (existsSync(path.join(root, 'src/cli/main.ts')))
  add({ ...nodeCommon, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } });
const workers = walk(path.join(root, 'src/workers'), (p) => p.endsWith('.ts'));
if (workers.length)
  add({ ...nodeCommon, entryPoints: workers, outdir: 'dist/workers', outbase: 'src/workers' });
if (existsSync(path.join(root, 'webview/main.ts')))
  add({ ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: { webview: 'webview/main.ts' }, outdir: 'dist' });
for (const extra of walk(path.join(root, 'webview/entries'), (p) => p.endsWith('.ts')))
  add({ ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: [extra], outdir: 'dist' });

// Test bundles: dependencies stay external (resolved from node_modules at run time).
const testNode = { ...nodeCommon, packages: 'external', external: undefined, sourcemap: 'inline', minify: false };
const unitTests = walk(path.join(root, 'test/unit'), (p) => p.endsWith('.test.ts'));
if (unitTests.length) add({ ...testNode, entryPoints: unitTests, outdir: 'out/test/unit', outbase: 'test/unit' });
// Integration suites and their runner run inside VS Code from a test-only .vsix
// (test/README.md), where node_modules is absent: bundle everything but `vscode`.
const testHost = { ...nodeCommon, sourcemap: 'inline', minify: false };
const integration = walk(path.join(root, 'test/integration/suite'), (p) => p.endsWith('.test.ts'));
if (integration.length) add({ ...testHost, entryPoints: integration, outdir: 'out/test/integration/suite', outbase: 'test/integration/suite' });
if (existsSync(path.join(root, 'test/integration/runner-extension/src/runner.ts')))
  add({ ...testHost, entryPoints: { runner: 'test/integration/runner-extension/src/runner.ts' }, outdir: 'out/test/integration/runner-extension',
    // mocha's parallel mode (never used here) require.resolve()s worker files lazily.
    logOverride: { 'require-resolve-not-external': 'silent' } });
// e2e specs run in plain Node (playwright-core) next to node_modules.
const e2e = walk(path.join(root, 'test/e2e'), (p) => p.endsWith('.e2e.ts'));
if (e2e.length) add({ ...testNode, entryPoints: e2e, outdir: 'out/test/e2e', outbase: 'test/e2e' });

function copyAssets() {
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  const wasmDir = path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    if (existsSync(path.join(wasmDir, f))) cpSync(path.join(wasmDir, f), path.join(root, 'dist', f));
  }
}

copyAssets();
if (watch) {
  const ctxs = await Promise.all(configs.map((c) => esbuild.context(c)));
  await Promise.all(ctxs.map((c) => c.watch()));
  console.log(`[watch] ${ctxs.length} bundles`);
} else {
  const t0 = Date.now();
  await Promise.all(configs.map((c) => esbuild.build(c)));
  console.log(`[esbuild] ${configs.length} bundles in ${Date.now() - t0} ms${production ? ' (production)' : ''}`);
}
