/**
 * Weights-only models: files that hold named tensors but no graph Tritscope can
 * run (GGUF language models, Hugging Face safetensors checkpoints, a `.tnn`
 * with no layers). Readers list the tensors from the header alone; statistics
 * over the data are computed later, in chunks, off the extension host.
 */

/** One tensor as the file's header declares it (validated against the file size). */
export interface WeightTensorInfo {
  name: string;
  /** The file's own type name, e.g. 'TQ1_0', 'TQ2_0', 'F16', 'BF16', 'U8', 'Q4_K'. */
  dtype: string;
  /** Logical shape, outermost first (GGUF's ne[] is reversed to this order). */
  shape: number[];
  /** Absolute byte offset of the tensor's data in the file. */
  offset: number;
  byteLength: number;
  /** True when the tensor holds ternary values (a ternary type, or detected {−s, 0, +s}). */
  ternary: boolean;
}

/** The header-level view of a weights-only file. */
export interface WeightsListing {
  /** Format id from the model-format registry ('gguf', 'safetensors', 'tnn'). */
  format: string;
  file: string;
  fileBytes: number;
  /** Key/values from the file's metadata, as read (strings, numbers, short arrays). */
  metadata: Record<string, unknown>;
  tensors: WeightTensorInfo[];
}
