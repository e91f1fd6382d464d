/** Runs ONNX bytes with onnxruntime-web (wasm, single thread) in Node: the independent runtime for cross-checks. */
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import type { Tensor } from '../../../src/core/tensor';

let configured = false;
export async function runOrt(bytes: Uint8Array, input: Tensor, inputName = 'input'): Promise<Tensor> {
  if (!configured) {
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = path.join(process.cwd(), 'node_modules/onnxruntime-web/dist/');
    configured = true;
  }
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const out = await session.run({ [inputName]: new ort.Tensor('float32', input.data, input.shape) });
    const t = out[session.outputNames[0]];
    return { shape: t.dims.map(Number), data: t.data as Float32Array };
  } finally {
    await session.release();
  }
}

/** max |a−b| / max(1, max|b|): relative to the output's magnitude. */
export function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0, m = 1;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}
