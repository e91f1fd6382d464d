/**
 * Tritscope's own `.tnn` (docs/tnn-format.md): a safetensors container whose `__metadata__` says `"format":"tnn"`.
 * A weights-only `.tnn` (no graph layers, §10: a converted language model) loads as a weights listing.
 */
import type { Detection, ModelFormat } from './types';

/** u64 LE header length with its high half zero (the spec caps it at 100 MB), then the JSON header's `{`. */
export function looksLikeSafetensors(head: Uint8Array): boolean {
  if (head.length < 9 || head[4] | head[5] | head[6] | head[7]) return false;
  let i = 8;
  while (i < head.length && head[i] === 0x20) i++;
  return head[i] === 0x7b;
}

function detect(head: Uint8Array): Detection {
  if (!looksLikeSafetensors(head)) return false;
  // Our writer puts __metadata__ first; another writer may put it after the tensors, beyond the head: then
  // the file is only a plausible safetensors container, and its `.tnn` extension decides.
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(8));
  return /"format"\s*:\s*"tnn"/.test(text) ? 'magic' : 'plausible';
}

export const tnnFormat: ModelFormat = {
  id: 'tnn',
  label: 'Tritscope ternary model',
  extensions: ['.tnn'],
  fileNames: [],
  produces: 'tnn',
  uses: ['view', 'run'],
  detect,
  load: async (file, bytes) => {
    const { peekTnnHeader, readTnnFile } = await import('../format/index');
    const { isWeightsOnlyTnn, tnnWeightsListing } = await import('../weights/tnn-listing');
    // The header alone decides (a converted multi-GB model is never read whole just to learn it has no graph).
    const header = await peekTnnHeader(file);
    if (isWeightsOnlyTnn(header)) return { kind: 'weights', listing: tnnWeightsListing(header), bytes };
    // Float tensors decode on first use: the viewer needs a latent only for its histogram, the debugger one layer per step.
    return { kind: 'tnn', model: await readTnnFile(file, { lazyFloats: true }), bytes };
  },
};
