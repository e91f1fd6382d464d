/**
 * Caps on counts read from untrusted files, checked before anything is
 * allocated or read. Each cap is far above what the models Tritscope targets
 * need (torchvision CNNs, the seed paper's networks) and far below what would
 * exhaust a laptop, so a hostile file fails fast with a clear error.
 */

/** Elements of one tensor stored in a file (a weight): 512 MiB as float32. VGG-16's largest tensor (fc6) has 103 M. */
export const MAX_TENSOR_ELEMENTS = 2 ** 27;

/** Values per sample of a graph input (a 3×3000×3000 image fits): 2²⁵. */
export const MAX_INPUT_ELEMENTS = 2 ** 25;

/** Values per sample of any activation the executors compute: 2²⁶ float32 = 256 MiB. */
export const MAX_SAMPLE_ELEMENTS = 2 ** 26;

/** Values of any activation, batch included: 2²⁸ float32 = 1 GiB. */
export const MAX_ACTIVATION_ELEMENTS = 2 ** 28;

/** All TF.js weight shards of one model together. Browser models are tens of MB; 1 GiB leaves room. */
export const MAX_TFJS_WEIGHT_BYTES = 2 ** 30;

/** `model.json` itself (topology + manifest, no weights): real ones are well under 1 MB. */
export const MAX_MODEL_JSON_BYTES = 64 * 2 ** 20;

/**
 * Pixels of one decoded image: 40 MP (a full-frame camera photo is 24 MP) is
 * 160 MB as RGBA, about 500 MB at the decoder's peak.
 */
export const MAX_IMAGE_PIXELS = 40_000_000;

/** Pixels of one preprocessed sample or intermediate window (16 M: 4096 × 4096, 192 MB as 3 float planes). */
export const MAX_SAMPLE_PIXELS = 2 ** 24;

/** Bytes of one image file: photos are a few MB; a 100 MB "PNG" is not a data set sample. */
export const MAX_IMAGE_FILE_BYTES = 100 * 2 ** 20;

/**
 * Product of `dims`, or Infinity once it passes `cap`: never overflows, never
 * loops long (it stops at the first factor past the cap). Dims must already be
 * non-negative integers.
 */
export function boundedProduct(dims: readonly number[], cap: number): number {
  let p = 1;
  for (const d of dims) {
    if (d === 0) return 0;
  }
  for (const d of dims) {
    p *= d;
    if (p > cap) return Infinity;
  }
  return p;
}

/**
 * worker_threads limits for the editor's inspect worker and the debugger's
 * inference worker: a file that slips past the parsers' caps kills its worker
 * (reported as an error), never the extension host. Tensors live in
 * ArrayBuffers outside the V8 heap, so a 2 GB old generation bounds parsed
 * JSON and other objects, not model size.
 */
export const WORKER_RESOURCE_LIMITS = { maxOldGenerationSizeMb: 2048, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 } as const;
export type WorkerResourceLimits = { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number; stackSizeMb?: number };
