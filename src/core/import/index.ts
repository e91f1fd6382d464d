/** Model importers: ONNX (`.onnx`) and TF.js Layers (`model.json` + weight shards). */
import { ImportError } from '../errors';
import type { FloatModel } from '../graph/types';
import { loadModel } from '../model-formats/index';
import { SUPPORTED_ONNX_OPS } from './onnx/import';
import { SUPPORTED_TFJS_LAYERS } from './tfjs/import';

export { SUPPORTED_ONNX_OPS, SUPPORTED_TFJS_LAYERS };
export { exportOnnx } from '../export/onnx';
export { importOnnxBytes } from './onnx/import';

/** Imports a float model of any registered float format (detected by content and name). Never modifies the file. */
export async function importModel(file: string): Promise<FloatModel> {
  const loaded = await loadModel(file, { use: 'quantize' });
  if (loaded.kind !== 'float') throw new ImportError(`${file}: ${loaded.format.label} files hold no float model`);
  return loaded.model;
}
