// esbuild options shared by esbuild.mjs and the tests that build a production bundle
// (test/unit/shared/rpc-bundle.test.ts), so both build with exactly the same settings.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

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
function inlineWorkerPlugin({ production, root }) {
  return {
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
}

/** Options of every bundle (`common`) and of the Node bundles (`nodeCommon`). */
export function bundleOptions({ production, root }) {
  const common = {
    bundle: true,
    // Error subclasses report their class name (TnnFormatError…) even in minified builds.
    keepNames: true,
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    plugins: [watPlugin, inlineWorkerPlugin({ production, root }), problemPlugin],
    absWorkingDir: root,
  };
  // tfjs-node is an optional native fast path: never bundled, required at run time if present.
  const nodeExternal = ['vscode', '@tensorflow/tfjs-node'];
  const nodeCommon = { ...common, platform: 'node', target: 'node20', format: 'cjs', external: nodeExternal };
  return { common, nodeCommon };
}
