/**
 * One statistics pass split across workers: the decoded tensors are cut into
 * contiguous runs of the file holding about equal bytes (each part still reads
 * sequentially), each part runs computeWeightsStats with `include`, and the
 * results are merged into what one pass would have given.
 */
import { kernelUnit } from './kernels';
import type { TensorStats, WeightsStats } from './stats';
import type { WeightsListing } from './types';

/** Tensor indices of each part, in file order; fewer parts when there are fewer decoded tensors. */
export function statsParts(listing: WeightsListing, parts: number): number[][] {
  const order = listing.tensors.map((_, i) => i).filter((i) => kernelUnit(listing.tensors[i]) !== null && listing.tensors[i].byteLength > 0)
    .sort((a, b) => listing.tensors[a].offset - listing.tensors[b].offset);
  const total = order.reduce((s, i) => s + listing.tensors[i].byteLength, 0);
  const out: number[][] = [];
  let current: number[] = [];
  let done = 0;
  for (const i of order) {
    current.push(i);
    done += listing.tensors[i].byteLength;
    // Close a part once it holds its share of the bytes (the last part takes the rest).
    if (out.length < parts - 1 && done >= (total * (out.length + 1)) / parts) {
      out.push(current);
      current = [];
    }
  }
  if (current.length || !out.length) out.push(current);
  // Zero-byte decoded tensors are finished by the first part (they need no read).
  const zero = listing.tensors.map((_, i) => i).filter((i) => kernelUnit(listing.tensors[i]) !== null && listing.tensors[i].byteLength === 0);
  out[0].push(...zero);
  return out.filter((p, k) => k === 0 || p.length);
}

/**
 * The parts' results as one: each tensor from the part that read it. A `.tnn` block-scale tensor read by
 * another part than its matrix lends its value summary afterwards (within one part the pass does so itself).
 */
export function mergeWeightsStats(listing: WeightsListing, parts: ReadonlyArray<{ stats: WeightsStats; tensors: readonly number[] }>): WeightsStats {
  const owner = new Map<number, WeightsStats>();
  for (const p of parts) for (const i of p.tensors) owner.set(i, p.stats);
  const tensors: TensorStats[] = listing.tensors.map((_, i) => (owner.get(i) ?? parts[0].stats).tensors[i]);
  const index = new Map(listing.tensors.map((t, i) => [t.name, i]));
  listing.tensors.forEach((t, i) => {
    if (t.scale?.kind !== 'tensor' || !t.scale.tensor || t.scale.convention !== 'multiply' || tensors[i].scales || !tensors[i].decoded) return;
    const j = index.get(t.scale.tensor);
    const values = j === undefined ? null : tensors[j].values;
    if (values) tensors[i] = { ...tensors[i], scales: values };
  });
  return { file: listing.file, tensors, bytesRead: parts.reduce((s, p) => s + p.stats.bytesRead, 0) };
}
