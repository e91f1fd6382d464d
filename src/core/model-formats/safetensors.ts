/**
 * Hugging Face safetensors checkpoints (BitNet packed uint8 trits + `weight_scale`,
 * or unpacked F16/BF16/F32 matrices holding {−s, 0, +s}): weights only, listed
 * from the header (docs/weights-formats.md). A `.tnn` is a safetensors container
 * too, so this entry comes after `tnn` in the registry: when neither the content
 * (a `.tnn`'s `"format":"tnn"`) nor the name decides, the `.tnn` reader is tried first.
 */
import { looksLikeSafetensors } from './tnn';
import type { Detection, ModelFormat } from './types';

/** Any safetensors container is only plausible: the 8-byte length prefix and `{` are shared with `.tnn`. */
function detect(head: Uint8Array): Detection {
  return looksLikeSafetensors(head) ? 'plausible' : false;
}

export const safetensorsFormat: ModelFormat = {
  id: 'safetensors',
  label: 'safetensors checkpoint',
  extensions: ['.safetensors'],
  fileNames: [],
  produces: 'weights',
  uses: ['view'],
  detect,
  load: async (file, bytes) => ({ kind: 'weights', listing: await (await import('../checkpoint/listing')).readSafetensorsListing(file), bytes }),
};
