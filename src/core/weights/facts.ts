/**
 * Header-level facts of a weights-only model, from the listing alone:
 * architecture, name, parameter count, file size, bits per weight overall and
 * per stored type, context length, vocabulary size and the types present.
 * Keys: GGUF `general.*` / `<arch>.context_length` (llama.cpp `gguf-py`
 * constants), Hugging Face `config.json` (`config.*` in checkpoint listings).
 */
import { tensorPlace } from './grouping';
import type { WeightsListing } from './types';

export interface TypeTotals {
  dtype: string;
  tensors: number;
  elements: number;
  bytes: number;
  bitsPerWeight: number;
  ternary: boolean;
}

export interface ModelFacts {
  format: string;
  file: string;
  fileBytes: number;
  architecture: string | null;
  name: string | null;
  parameters: number;
  /** Weights held in ternary form (ternary types, packed trits, detected {−s, 0, +s} matrices). */
  ternaryParameters: number;
  /** 8 × tensor bytes / parameters (all tensors). */
  bitsPerWeight: number;
  /** Same over the ternary tensors only. */
  ternaryBitsPerWeight: number | null;
  byType: TypeTotals[];
  contextLength: number | null;
  vocabularySize: number | null;
  blocks: number;
  quantTypes: string[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : null);

function arrayLength(v: unknown): number | null {
  if (Array.isArray(v)) return v.length;
  if (v && typeof v === 'object' && typeof (v as { length?: unknown }).length === 'number') return (v as { length: number }).length;
  return null;
}

export function modelFacts(listing: WeightsListing): ModelFacts {
  const m = listing.metadata;
  const arch = str(m['general.architecture']) ?? str(m['config.model_type']) ?? str(m['config.architectures']);
  const byType = new Map<string, TypeTotals>();
  let parameters = 0, bytes = 0, ternaryParameters = 0, ternaryBytes = 0;
  const blocks = new Set<number>();
  for (const t of listing.tensors) {
    const n = t.elements ?? t.shape.reduce((a, b) => a * b, 1);
    parameters += n;
    bytes += t.byteLength;
    if (t.ternary) {
      ternaryParameters += n;
      ternaryBytes += t.byteLength;
    }
    const key = t.ternary && t.ternarySource === 'packed' ? `${t.dtype} (packed trits)` : t.dtype;
    const e = byType.get(key) ?? { dtype: key, tensors: 0, elements: 0, bytes: 0, bitsPerWeight: 0, ternary: t.ternary };
    e.tensors++;
    e.elements += n;
    e.bytes += t.byteLength;
    e.ternary &&= t.ternary;
    byType.set(key, e);
    const { block } = tensorPlace(t.name);
    if (block !== null) blocks.add(block);
  }
  for (const e of byType.values()) e.bitsPerWeight = e.elements ? (8 * e.bytes) / e.elements : 0;
  const archKey = (k: string) => (arch ? m[`${arch}.${k}`] : undefined);
  return {
    format: listing.format,
    file: listing.file,
    fileBytes: listing.fileBytes,
    architecture: arch,
    name: str(m['general.name']),
    parameters,
    ternaryParameters,
    bitsPerWeight: parameters ? (8 * bytes) / parameters : 0,
    ternaryBitsPerWeight: ternaryParameters ? (8 * ternaryBytes) / ternaryParameters : null,
    byType: [...byType.values()].sort((a, b) => b.elements - a.elements),
    contextLength: num(archKey('context_length')) ?? num(m['config.max_position_embeddings']),
    vocabularySize: num(archKey('vocab_size')) ?? arrayLength(m['tokenizer.ggml.tokens']) ?? num(m['config.vocab_size']),
    blocks: num(archKey('block_count')) ?? num(m['config.num_hidden_layers']) ?? blocks.size,
    quantTypes: [...new Set(listing.tensors.map((t) => t.dtype))].sort(),
  };
}
