/** Saves a TF.js LayersModel as model.json + weights.bin, each written atomically. */
import type * as tfjs from '@tensorflow/tfjs';
import path from 'node:path';
import type { Tf } from './backend';
import { writeFileAtomicSync } from '../format/index';

function concatWeightData(data: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array {
  if (!data) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { out.set(new Uint8Array(p), o); o += p.byteLength; }
  return out;
}

/** Writes `<dir>/weights.bin` then `<dir>/model.json` (so a readable model.json always has its weights). */
export async function saveLayersModel(tf: Tf, model: tfjs.LayersModel, dir: string): Promise<void> {
  await model.save(tf.io.withSaveHandler(async (a) => {
    writeFileAtomicSync(path.join(dir, 'weights.bin'), concatWeightData(a.weightData as ArrayBuffer | ArrayBuffer[] | undefined));
    const json = {
      format: a.format ?? 'layers-model',
      generatedBy: a.generatedBy,
      convertedBy: 'tritscope train',
      modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
    };
    writeFileAtomicSync(path.join(dir, 'model.json'), JSON.stringify(json));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}
