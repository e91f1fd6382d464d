/**
 * The Hugging Face `config.json` beside a checkpoint, read with bounds: same
 * folder only (its real path must stay inside the model's folder), at most
 * 1 MiB, and only the few keys the listing reports. A missing or bad config is
 * not an error: the listing says so in a note.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export const MAX_CONFIG_BYTES = 1 << 20;

export interface CheckpointConfig {
  /** Selected keys, prefixed `config.` in the listing metadata. */
  values: Record<string, unknown>;
  /** transformers' BitNet linear class: 'bitlinear' (default) divides by weight_scale, 'autobitlinear' multiplies. */
  linearClass: string | null;
  note?: string;
}

const KEYS = ['architectures', 'model_type', 'max_position_embeddings', 'vocab_size', 'hidden_size', 'num_hidden_layers', 'intermediate_size', 'torch_dtype', 'tie_word_embeddings'];

export async function readSiblingConfig(modelFile: string): Promise<CheckpointConfig | null> {
  const dir = path.dirname(path.resolve(modelFile));
  const candidate = path.join(dir, 'config.json');
  let text: string;
  try {
    const [realDir, realFile] = await Promise.all([realpath(dir), realpath(candidate)]);
    if (path.dirname(realFile) !== realDir) return { values: {}, linearClass: null, note: 'config.json beside the model points outside its folder; ignored' };
    const st = await stat(realFile);
    if (!st.isFile() || st.size > MAX_CONFIG_BYTES) return { values: {}, linearClass: null, note: `config.json is not a regular file of at most ${MAX_CONFIG_BYTES} bytes; ignored` };
    text = await readFile(realFile, 'utf8');
  } catch {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { values: {}, linearClass: null, note: `config.json is not valid JSON (${(e as Error).message}); ignored` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { values: {}, linearClass: null, note: 'config.json is not a JSON object; ignored' };
  const o = json as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  for (const k of KEYS) if (o[k] !== undefined && JSON.stringify(o[k]).length < 1000) values[k] = o[k];
  const q = o.quantization_config;
  let linearClass: string | null = null;
  if (q && typeof q === 'object' && !Array.isArray(q)) {
    const qc = q as Record<string, unknown>;
    values.quantization_config = Object.fromEntries(Object.entries(qc).filter(([, v]) => typeof v !== 'object' || v === null));
    if (qc.quant_method === 'bitnet') linearClass = typeof qc.linear_class === 'string' ? qc.linear_class : 'bitlinear';
  }
  return { values, linearClass };
}
