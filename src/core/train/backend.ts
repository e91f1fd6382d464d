/**
 * TF.js backend selection for training: the native `@tensorflow/tfjs-node`
 * when installed (optional, never bundled), else the WebAssembly backend with
 * its binaries loaded from disk (never a network URL), else the pure-JS cpu
 * backend. The wasm backend lacks some gradient kernels; they are registered
 * from ./wasm-grad-kernels before first use.
 */
import * as tfjs from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { registerWasmGradKernels } from './wasm-grad-kernels';

export type Tf = typeof tfjs;
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface TfHandle {
  tf: Tf;
  backend: BackendName;
}

export interface InitTfOptions {
  /** Force a backend (tests compare wasm and cpu); default: best available. */
  prefer?: BackendName;
  /** Where to report the chosen backend; default: silent. */
  log?: (line: string) => void;
}

const WASM_FILE = 'tfjs-backend-wasm.wasm';

/** Directory holding tfjs-backend-wasm*.wasm: beside the bundle (dist/), else node_modules (tests, scripts). */
export function findWasmDir(): string | undefined {
  const candidates = [
    __dirname,
    path.join(__dirname, '..'),
    path.join(__dirname, '..', '..', 'dist'),
    path.join(__dirname, '..', '..', '..', 'dist'),
    path.join(process.cwd(), 'dist'),
  ];
  try {
    candidates.push(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/' + WASM_FILE)));
  } catch {
    /* not resolvable from a bundle: fall through */
  }
  candidates.push(path.join(process.cwd(), 'node_modules/@tensorflow/tfjs-backend-wasm/dist'));
  return candidates.find((d) => existsSync(path.join(d, WASM_FILE)));
}

function tryTfjsNode(): Tf | undefined {
  try {
    // Optional native dependency: externalised by esbuild.mjs, absent on most machines.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@tensorflow/tfjs-node') as Tf;
  } catch {
    return undefined;
  }
}

let wasmPathSet = false;

async function trySet(tf: Tf, name: string): Promise<boolean> {
  try {
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/** Initialises TF.js once per call site; calling again switches backend if `prefer` differs. */
export async function initTf(opts: InitTfOptions = {}): Promise<TfHandle> {
  const log = opts.log ?? (() => undefined);
  if (opts.prefer === undefined || opts.prefer === 'tensorflow') {
    const native = tryTfjsNode();
    if (native && (await trySet(native, 'tensorflow'))) {
      log('tritscope: TF.js backend: tensorflow (tfjs-node)');
      return { tf: native, backend: 'tensorflow' };
    }
  }
  const tf = tfjs;
  if (opts.prefer !== 'cpu') {
    const dir = findWasmDir();
    if (dir) {
      if (!wasmPathSet) {
        setWasmPaths(dir.endsWith(path.sep) ? dir : dir + path.sep);
        wasmPathSet = true;
      }
      registerWasmGradKernels(tf);
      if (await trySet(tf, 'wasm')) {
        log(`tritscope: TF.js backend: wasm (${dir})`);
        return { tf, backend: 'wasm' };
      }
    }
  }
  await tf.setBackend('cpu');
  log('tritscope: TF.js backend: cpu (slow: wasm binaries not found)');
  return { tf, backend: 'cpu' };
}
