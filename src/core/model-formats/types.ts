/**
 * The model-format registry's contract: every file Tritscope opens (its own
 * `.tnn`, float models to quantize, weights-only checkpoints) is described by
 * one ModelFormat in its own file and listed once in ./registry.ts. Detection,
 * loading, the file-name rules of menus/pickers and default output names all
 * come from these entries (docs/architecture.md, "Recipe: add a model format").
 */
import type { FloatModel, TnnModel } from '../graph/types';
import type { WeightsListing } from '../weights/types';

/** What a file of the format can be used for: opened in the viewer, quantized to `.tnn`, or run (run/eval/debug). */
export type FormatUse = 'view' | 'quantize' | 'run';

/** A loaded model file: a ternary model, a float model, or (weights-only formats) a tensor listing. */
export type LoadedModel =
  | { kind: 'tnn'; model: TnnModel; bytes: number }
  | { kind: 'float'; model: FloatModel; bytes: number }
  | { kind: 'weights'; listing: WeightsListing; bytes: number };

/**
 * A content check's verdict on the first bytes of a file:
 *  - 'magic': a signature no other registered format has (GGUF's "GGUF", a `.tnn` header's `"format":"tnn"`);
 *  - 'plausible': consistent with the format but shared with others (any JSON object, a protobuf field tag,
 *    a safetensors length prefix);
 *  - false: not this format.
 */
export type Detection = 'magic' | 'plausible' | false;

/** How many leading bytes detection sees (enough for a `.tnn`/safetensors header's first keys). */
export const HEAD_BYTES = 1024;

export interface ModelFormat {
  /** Stable id ('tnn', 'onnx', 'tfjs-layers'); weights listings carry it as `format`. */
  id: string;
  /** What users call it, in pickers and messages ('ONNX', 'TF.js Layers'). */
  label: string;
  /** Lower-case endings with the dot ('.onnx'); a file whose name ends so is taken to be this format. */
  extensions: readonly string[];
  /** Exact file names (lower case) that mean this format ('model.json'), for formats whose extension is too generic. */
  fileNames: readonly string[];
  /**
   * What the loader produces (checked against `load`'s result by the registry test). A `.tnn` without graph
   * layers (docs/tnn-format.md §10) is the one exception: its loader answers 'weights'.
   */
  produces: LoadedModel['kind'];
  uses: readonly FormatUse[];
  /** Content check over the first HEAD_BYTES bytes (fewer when the file is shorter). Never throws. */
  detect(head: Uint8Array): Detection;
  /** Loads the file (of `bytes` bytes, already checked to exist); errors name the file and the field. */
  load(file: string, bytes: number): Promise<LoadedModel>;
  /**
   * The path outputs derived from this model are named after, without extension
   * (`/m/cnn.onnx` → `/m/cnn`). Default: the file's path minus its matched ending.
   */
  outputBase?(file: string): string;
}
