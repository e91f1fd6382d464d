/** Model importers: ONNX (`.onnx`) and TF.js Layers (`model.json` + weight shards). */
import { open } from 'node:fs/promises';
import { ImportError } from '../errors';
import type { FloatModel } from '../graph/types';
import { importOnnxFile, SUPPORTED_ONNX_OPS } from './onnx/import';
import { importTfjsFile, SUPPORTED_TFJS_LAYERS } from './tfjs/import';

export { SUPPORTED_ONNX_OPS, SUPPORTED_TFJS_LAYERS };
export { exportOnnx } from '../export/onnx';
export { importOnnxBytes } from './onnx/import';

/** Sniffs the first bytes: '{' means JSON (TF.js), anything else is tried as ONNX protobuf. */
async function looksLikeJson(file: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new ImportError(`${file}: cannot read: ${(e as Error).message}`);
  }
  try {
    const buf = Buffer.alloc(64);
    const { bytesRead } = await fh.read(buf, 0, 64, 0);
    return buf.subarray(0, bytesRead).toString('utf8').trimStart().startsWith('{');
  } finally {
    await fh.close();
  }
}

/** Imports a float model; dispatches on the extension, then on content. Never modifies the file. */
export async function importModel(file: string): Promise<FloatModel> {
  const lower = file.toLowerCase();
  if (lower.endsWith('.onnx')) return importOnnxFile(file);
  if (lower.endsWith('.json')) return importTfjsFile(file);
  return (await looksLikeJson(file)) ? importTfjsFile(file) : importOnnxFile(file);
}
