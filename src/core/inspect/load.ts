/** Opens a model file of any supported kind: `.tnn` (ours) or a float model (ONNX, TF.js). */
import { stat } from 'node:fs/promises';
import { TritscopeError } from '../errors';
import { readTnnFile } from '../format/index';
import type { FloatModel, TnnModel } from '../graph/types';
import { importModel } from '../import/index';

/** The file does not exist or is not a regular file. */
export class MissingFileError extends TritscopeError {}

export type LoadedModel = { kind: 'tnn'; model: TnnModel; bytes: number } | { kind: 'float'; model: FloatModel; bytes: number };

/** Size of an existing regular file; a MissingFileError naming `what` and the file otherwise. */
export async function fileSize(file: string, what: string): Promise<number> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new MissingFileError(`${file}: ${what} is not a regular file`);
    return s.size;
  } catch (e) {
    if (e instanceof TritscopeError) throw e;
    throw new MissingFileError(`${file}: ${what} not found (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export function isTnnPath(file: string): boolean {
  return file.toLowerCase().endsWith('.tnn');
}

export async function loadModelFile(file: string, what = 'model'): Promise<LoadedModel> {
  const bytes = await fileSize(file, what);
  if (isTnnPath(file)) return { kind: 'tnn', model: await readTnnFile(file), bytes };
  return { kind: 'float', model: await importModel(file), bytes };
}
