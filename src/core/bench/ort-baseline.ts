/**
 * The second float32 baseline of `tritscope bench --model`: onnxruntime-web's
 * WebAssembly backend (SIMD, one thread unless told otherwise) running the float
 * original as ONNX. onnxruntime-web is a development dependency: it is loaded
 * from node_modules at run time (never bundled), and its absence is reported, not
 * fatal.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Ort from 'onnxruntime-web';
import type { Tensor } from '../tensor';

export interface OrtRunner {
  run(input: Tensor): Promise<Float32Array>;
  release(): Promise<void>;
  version: string;
}

let loaded: typeof Ort | undefined;

/** onnxruntime-web from the node_modules beside the bundle or the working directory, or a reason why not. */
function loadOrt(threads: number): typeof Ort | string {
  if (loaded) {
    loaded.env.wasm.numThreads = threads;
    return loaded;
  }
  for (const from of [__filename, path.join(process.cwd(), 'package.json')]) {
    let ort: typeof Ort;
    let dist: string;
    try {
      const req = createRequire(from);
      dist = path.dirname(req.resolve('onnxruntime-web'));
      ort = req('onnxruntime-web') as typeof Ort;
    } catch {
      continue;
    }
    if (!existsSync(path.join(dist, 'ort-wasm-simd-threaded.wasm'))) continue;
    ort.env.wasm.wasmPaths = dist + path.sep;
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.simd = true;
    ort.env.logLevel = 'error';
    loaded = ort;
    return ort;
  }
  return 'onnxruntime-web is not installed (a development dependency: npm install in the Tritscope checkout)';
}

/** A session on `onnx` (float32 input 'input' or the model's first input); a string says why there is none. */
export async function createOrtRunner(onnx: Uint8Array, threads = 1): Promise<OrtRunner | string> {
  const ort = loadOrt(threads);
  if (typeof ort === 'string') return ort;
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnx, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  } catch (e) {
    return `onnxruntime-web could not load the model: ${(e as Error).message}`;
  }
  const inputName = session.inputNames[0], outputName = session.outputNames[0];
  return {
    version: ort.env.versions?.web ?? 'unknown',
    async run(input: Tensor): Promise<Float32Array> {
      const out = await session.run({ [inputName]: new ort.Tensor('float32', input.data, input.shape) });
      return out[outputName].data as Float32Array;
    },
    release: () => session.release(),
  };
}
