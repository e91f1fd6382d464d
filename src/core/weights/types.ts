/**
 * Weights-only models: files that hold named tensors but no graph Tritscope can
 * run (GGUF language models, Hugging Face safetensors checkpoints, a `.tnn`
 * with no layers). Readers list the tensors from the header alone; statistics
 * over the data are computed later, in chunks, off the extension host
 * (src/core/weights/stats.ts).
 */

/** How a ternary tensor's values are scaled (the stored scale, not a guess). */
export interface WeightScaleInfo {
  /**
   * 'block': one scale per `block` weights stored inside the tensor's own blocks (GGUF TQ1_0/TQ2_0, f16);
   * 'tensor-tail': one f32 after the packed data (bitnet.cpp I2_S);
   * 'tensor': a separate scale tensor (`tensor`), e.g. Hugging Face BitNet `weight_scale`;
   * 'value': the tensor stores {−s, 0, +s} itself (unpacked float checkpoints).
   */
  kind: 'block' | 'tensor-tail' | 'tensor' | 'value';
  /** Weights per scale for 'block'. */
  block?: number;
  /** Name of the separate scale tensor for 'tensor'. */
  tensor?: string;
  /** value = trit × scale ('multiply') or trit / scale ('divide', transformers' BitLinear). */
  convention: 'multiply' | 'divide';
}

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
  /** Number of weights (product of the logical shape). */
  elements?: number;
  /** Stored bits per weight: 8 × byteLength / elements. */
  bitsPerWeight?: number;
  /** Shape as stored when it differs from the logical one (packed safetensors: [rows/4, cols]). */
  storedShape?: number[];
  /** Block structure of block-quantized types (GGUF). */
  blockSize?: number;
  blockBytes?: number;
  scale?: WeightScaleInfo;
  /** A known type whose values this reader does not decode, and why (shown to the user). */
  undecoded?: string;
  /**
   * For float tensors whose ternary-ness is only known after reading the data:
   * 'probe' = the first values checked are {−s, 0, +s}; statistics confirm or refute.
   */
  ternarySource?: 'type' | 'packed' | 'probe';
  /** How packed U8 trits are laid out: `.tnn` base-3, 5 per byte (docs/tnn-format.md §3), or transformers' 4 per byte. */
  packing?: 'tnn5' | 'bitnet4';
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
  /** Bytes of the header the reader looked at (the listing never reads tensor data beyond small probes). */
  headerBytes?: number;
  /** Format version (GGUF 2/3). */
  version?: number;
  /** Notes for the user (e.g. an I2_S layout caveat), one sentence each. */
  notes?: string[];
}
