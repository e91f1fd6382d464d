/**
 * The model formats Tritscope reads, and the one way to open a model file:
 * `loadModel(file)` detects the format (content first, then the file name) and
 * runs its loader. Everything that names model files (CLI, editor worker,
 * debugger, quantize flow, task provider, package.json) derives from this list.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { TritscopeError } from '../errors';
import { ggufFormat } from './gguf';
import { onnxFormat } from './onnx';
import { safetensorsFormat } from './safetensors';
import { tfjsLayersFormat } from './tfjs-layers';
import { tnnFormat } from './tnn';
import { HEAD_BYTES, type FormatUse, type LoadedModel, type ModelFormat } from './types';

/** Every registered format; the order breaks ties between equally good detections (`tnn` before the bare `safetensors`). */
export const MODEL_FORMATS: readonly ModelFormat[] = [
  tnnFormat,
  onnxFormat,
  tfjsLayersFormat,
  ggufFormat,
  safetensorsFormat,
];

/** The file does not exist or is not a regular file. */
export class MissingFileError extends TritscopeError {}

/** No registered format recognizes the file by its content or its name. */
export class UnknownFormatError extends TritscopeError {}

export function formatById(id: string): ModelFormat | undefined {
  return MODEL_FORMATS.find((f) => f.id === id);
}

export function formatsFor(use: FormatUse): ModelFormat[] {
  return MODEL_FORMATS.filter((f) => f.uses.includes(use));
}

/** The ending or exact name of `file` that means `format`, if any (lower case). */
export function matchedName(format: ModelFormat, file: string): string | undefined {
  const base = path.basename(file).toLowerCase();
  return format.fileNames.find((n) => base === n) ?? format.extensions.find((e) => base.endsWith(e) && base.length > e.length);
}

/** The format a file name means (no content read): for pickers, menus and default output names. */
export function formatByName(file: string): ModelFormat | undefined {
  return MODEL_FORMATS.find((f) => matchedName(f, file) !== undefined);
}

/**
 * The best format for a file. A unique signature wins over the name, the name
 * over a merely plausible content: a renamed `.tnn` still opens as `.tnn`, a
 * `.tnn` whose header cannot be recognized still goes to the `.tnn` reader (whose
 * error then names the bad field), and a `weights.json` is tried as TF.js.
 */
export function detectFormat(file: string, head: Uint8Array): ModelFormat | undefined {
  let best: ModelFormat | undefined;
  let bestScore = 0;
  for (const f of MODEL_FORMATS) {
    const d = f.detect(head);
    const score = (d === 'magic' ? 4 : d === 'plausible' ? 1 : 0) + (matchedName(f, file) !== undefined ? 2 : 0);
    if (score > bestScore) [best, bestScore] = [f, score];
  }
  return best;
}

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

async function readHead(file: string): Promise<Uint8Array> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new MissingFileError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const buf = new Uint8Array(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function describeHead(head: Uint8Array): string {
  if (!head.length) return 'the file is empty';
  const hex = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `first bytes ${hex}`;
}

/** The format of an existing file, by content and name; an UnknownFormatError listing what is supported otherwise. */
export async function detectFileFormat(file: string): Promise<ModelFormat> {
  const head = await readHead(file);
  const format = detectFormat(file, head);
  if (!format) throw new UnknownFormatError(`${file}: not a model format Tritscope reads (${MODEL_FORMATS.map((f) => f.label).join(', ')}); ${describeHead(head)}`);
  return format;
}

export interface ModelLoadOptions {
  /** What the file is to the caller, for the missing-file message ('model', '.tnn file'). */
  what?: string;
  /** Refuse formats that cannot serve this use, before loading anything. */
  use?: FormatUse;
}

const USE_TEXT: Record<FormatUse, string> = { view: 'opened in the model viewer', quantize: 'quantized', run: 'run' };

/** Opens a model file of any registered format. Never modifies the file. */
export async function loadModel(file: string, opts: ModelLoadOptions = {}): Promise<LoadedModel & { format: ModelFormat }> {
  const bytes = await fileSize(file, opts.what ?? 'model');
  const format = await detectFileFormat(file);
  if (opts.use && !format.uses.includes(opts.use)) {
    const ok = formatsFor(opts.use).map((f) => f.label).join(', ');
    throw new TritscopeError(`${file}: ${format.label} files cannot be ${USE_TEXT[opts.use]} (files that can: ${ok})`);
  }
  return { ...(await format.load(file, bytes)), format };
}

/** A model with a graph the engines can run: a `.tnn` or a float model. */
export type RunnableModel = Extract<LoadedModel, { kind: 'tnn' | 'float' }> & { format: ModelFormat };

/** loadModel for run/eval/debug: refuses formats without the 'run' use (weights-only listings among them). */
export async function loadRunnableModel(file: string, what?: string): Promise<RunnableModel> {
  const loaded = await loadModel(file, { use: 'run', what });
  // The registry test keeps every 'run' format producing a graph; this guards a misregistered one.
  if (loaded.kind === 'weights') throw new TritscopeError(`${file}: ${loaded.format.label} holds weights only, nothing to run`);
  return loaded;
}

/** The path (without extension) outputs derived from `model` are named after. */
export function outputBase(model: string): string {
  const format = formatByName(model);
  if (format?.outputBase) return format.outputBase(model);
  const ending = format && matchedName(format, model);
  const base = path.basename(model);
  const stem = ending && base.toLowerCase().endsWith(ending) ? base.slice(0, base.length - ending.length) : base.replace(/\.[^.]+$/, '');
  return path.join(path.dirname(model), stem || base);
}

/** `<base>.<method>[.qat].tnn` beside the source model (a TF.js model is named after its folder). */
export function defaultOutputPath(model: string, method: string, qat = false): string {
  return `${outputBase(model)}.${method}${qat ? '.qat' : ''}.tnn`;
}
