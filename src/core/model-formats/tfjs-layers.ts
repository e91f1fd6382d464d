/** TF.js Layers models: `model.json` (topology + weights manifest) beside its weight shards (docs/importers.md). */
import path from 'node:path';
import type { Detection, ModelFormat } from './types';

function detect(head: Uint8Array): Detection {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head).trimStart();
  if (!text.startsWith('{')) return false;
  return /"modelTopology"\s*:/.test(text) ? 'magic' : 'plausible';
}

/** A TF.js model is its folder: `…/cnn/model.json` is named `…/cnn`, outputs go beside the folder. */
function outputBase(file: string): string {
  const dir = path.dirname(file);
  const folder = path.basename(dir);
  if (path.basename(file).toLowerCase() === 'model.json' && folder && folder !== '.' && folder !== '..')
    return path.join(path.dirname(dir), folder);
  return file.replace(/\.json$/i, '');
}

export const tfjsLayersFormat: ModelFormat = {
  id: 'tfjs-layers',
  label: 'TF.js Layers',
  // Not '.json': that would claim every JSON file; other names are recognized by content.
  extensions: [],
  fileNames: ['model.json'],
  produces: 'float',
  uses: ['quantize', 'run'],
  detect,
  load: async (file, bytes) => ({ kind: 'float', model: await (await import('../import/tfjs/import')).importTfjsFile(file), bytes }),
  outputBase,
};
