/**
 * Names for files derived from weights-only models. Detection and listing of
 * GGUF, safetensors checkpoints and weights-only `.tnn` go through the
 * model-format registry (src/core/model-formats: `gguf.ts`, `safetensors.ts`,
 * `tnn.ts`; `loadModel(file)` answers `kind: 'weights'` with the listing).
 */
import path from 'node:path';

/** `<dir>/<name without extension>.tnn`, beside the source. */
export function defaultTnnName(file: string): string {
  const ext = path.extname(file);
  return path.join(path.dirname(file), `${path.basename(file, ext)}.tnn`);
}
