/**
 * `__metadata__.header_checksum` (docs/tnn-format.md §2.2): a SHA-256 over the
 * header's semantic content — the metadata strings that define the model
 * (graph, thresholds, scales, provenance…) and the tensor table — so an edit
 * to the header is detected as `checksum` detects an edit to the data.
 *
 * Defined over the stored strings and integers, not over re-serialized JSON,
 * so any language can compute it without a canonical JSON encoder:
 *
 *   for each key of SEMANTIC_KEYS that is present, in this order:
 *       key ":" byteLength(value) ":" value "\n"
 *   then for each tensor, ordered by data_offsets (begin, end) then by the UTF-8 bytes of its name:
 *       byteLength(name) ":" name " " dtype " " shape joined by "," " " begin " " end "\n"
 *
 * Written by every writer since this key was added; files without it (older
 * Tritscope versions) still open, with only the data checksum verified.
 */
import { createHash } from 'node:crypto';

export const HEADER_CHECKSUM_KEY = 'header_checksum';
export const SEMANTIC_KEYS = ['format', 'tnn_version', 'graph', 'provenance', 'layer_stats', 'trit_tensors', 'latent_tensors'] as const;

export interface HeaderTensor {
  name: string;
  dtype: string;
  shape: readonly number[];
  begin: number;
  end: number;
}

const utf8 = new TextEncoder();

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export function computeHeaderChecksum(metadata: Readonly<Record<string, string>>, tensors: readonly HeaderTensor[]): string {
  const hash = createHash('sha256');
  for (const key of SEMANTIC_KEYS) {
    const value = metadata[key];
    if (value === undefined) continue;
    const bytes = utf8.encode(value);
    hash.update(`${key}:${bytes.length}:`).update(bytes).update('\n');
  }
  const rows = tensors.map((t) => ({ t, name: utf8.encode(t.name) }));
  rows.sort((a, b) => a.t.begin - b.t.begin || a.t.end - b.t.end || compareBytes(a.name, b.name));
  for (const { t, name } of rows) hash.update(`${name.length}:`).update(name).update(` ${t.dtype} ${t.shape.join(',')} ${t.begin} ${t.end}\n`);
  return `sha256:${hash.digest('hex')}`;
}
