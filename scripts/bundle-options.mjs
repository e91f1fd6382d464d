// esbuild options shared by esbuild.mjs and the tests that build a production bundle
// (test/unit/shared/rpc-bundle.test.ts), so both build with exactly the same settings.
import { readFileSync } from 'node:fs';

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

/** Options of every bundle (`common`) and of the Node bundles (`nodeCommon`). */
export function bundleOptions({ production, root }) {
  const common = {
    bundle: true,
    // Error subclasses report their class name (TnnFormatError…) even in minified builds.
    keepNames: true,
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    plugins: [watPlugin, problemPlugin],
    absWorkingDir: root,
  };
  // tfjs-node is an optional native fast path: never bundled, required at run time if present.
  const nodeExternal = ['vscode', '@tensorflow/tfjs-node'];
  const nodeCommon = { ...common, platform: 'node', target: 'node20', format: 'cjs', external: nodeExternal };
  return { common, nodeCommon };
}
