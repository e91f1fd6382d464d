/**
 * GGUF v2/v3 (llama.cpp, bitnet.cpp): language models whose matrices may be
 * ternary (TQ1_0, TQ2_0, I2_S). Weights only: listed from the header, viewed and
 * inspected tensor by tensor (docs/weights-formats.md).
 */
import type { Detection, ModelFormat } from './types';

/** "GGUF" as the first four bytes (llama.cpp `GGUF_MAGIC`); no other registered format starts so. */
function detect(head: Uint8Array): Detection {
  return head.length >= 4 && head[0] === 0x47 && head[1] === 0x47 && head[2] === 0x55 && head[3] === 0x46 ? 'magic' : false;
}

export const ggufFormat: ModelFormat = {
  id: 'gguf',
  label: 'GGUF',
  extensions: ['.gguf'],
  fileNames: [],
  produces: 'weights',
  uses: ['view'],
  detect,
  // The reader is imported on first use: hosts that only need names and detection stay light.
  load: async (file, bytes) => ({ kind: 'weights', listing: await (await import('../gguf/listing')).readGgufListing(file), bytes }),
};
