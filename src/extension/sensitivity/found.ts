/**
 * The model viewer's side of a sensitivity analysis, without `vscode`: finding
 * `<model>.sensitivity.json` beside a viewed model, projecting it for the webview
 * (SensitivityView) and the graph overlay, and turning "Re-quantize with this set"
 * into a quantize job. The file is hostile input (readSensitivity checks it); the
 * analysed model is looked up only beside the sensitivity file, by base name.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { formatByName } from '../../core/model-formats/index';
import { readSensitivity, sensitivityPath, type KeepFloatPlan, type SensitivityResult } from '../../core/sensitivity/index';
import type { GraphOverlay } from '../../shared/messages';
import type { KeepFloatPlanView, SensitivityView } from '../../shared/sensitivityView';

export interface FoundSensitivity {
  file: string;
  result: SensitivityResult;
}

/**
 * The sensitivity file that describes a viewed model: its own (`x.tnn.sensitivity.json`,
 * a .tnn analysed through its latent weights), else its float source's beside it
 * (`x.onnx.sensitivity.json`). Null when there is none; a bad file throws naming it.
 */
export function findSensitivity(modelPath: string, sourceFile: string | null): FoundSensitivity | null {
  const dir = path.dirname(modelPath);
  const candidates = [sensitivityPath(modelPath)];
  if (sourceFile) candidates.push(sensitivityPath(path.join(dir, path.basename(sourceFile))));
  for (const file of candidates) if (existsSync(file)) return { file, result: readSensitivity(file) };
  return null;
}

function planView(p: KeepFloatPlan, predictor: KeepFloatPlan['predictor']): KeepFloatPlanView {
  return {
    keepFloat: p.keepFloat, floatWeightShare: p.floatWeightShare, bitsPerWeight: p.bitsPerWeight, energyPj: p.energyPj,
    predictedTop1: p.predicted[predictor ?? 'all-but-this'].top1, measuredTop1: p.measured.top1, measuredKl: p.measured.kl,
  };
}

export function sensitivityView(f: FoundSensitivity): SensitivityView {
  const r = f.result;
  return {
    file: path.basename(f.file),
    model: r.model.file,
    n: r.data.n,
    data: r.data.name,
    method: r.method,
    engine: r.engine,
    sweepSeconds: r.timings.sweepMs / 1000,
    float: { top1: r.float.top1 },
    allTernary: { top1: r.allTernary.top1, kl: r.allTernary.kl },
    layers: r.layers.map((l) => ({ name: l.name, weights: l.weights, onlyThis: { top1: l.onlyThis.top1, kl: l.onlyThis.kl }, allButThis: { top1: l.allButThis.top1, kl: l.allButThis.kl } })),
    proposals: (r.proposals ?? []).map((p) => ({
      budget: p.budget.text,
      proposal: planView(p.proposal, p.proposal.predictor),
      defaultRule: { ...planView(p.defaultRule, p.proposal.predictor), fits: p.defaultRule.fits },
    })),
  };
}

/** The graph overlay `sensitivity`: KL from the float model with only that layer ternary (more = more sensitive). */
export function sensitivityOverlay(f: FoundSensitivity): GraphOverlay {
  const values: Record<string, number> = {};
  for (const l of f.result.layers) values[l.name] = l.onlyThis.kl;
  return {
    metric: 'sensitivity',
    values,
    label: 'KL from float, only this layer ternary',
    source: `${path.basename(f.file)} · ${f.result.data.n} samples`,
  };
}

export interface RequantizeWith {
  /** The float model to quantize. */
  model: string;
  output: string;
  method: string;
  keepFloat: string;
}

/**
 * The quantize job for keeping `keepFloat` float. The names must be swept layers
 * (they come from the webview). The source is the analysed model when it is a float
 * model, else (a .tnn analysed through its latent weights) `floatSource`.
 */
export function requantizeWith(f: FoundSensitivity, keepFloat: readonly string[], floatSource: string | null): RequantizeWith {
  const names = new Set(f.result.layers.map((l) => l.name));
  for (const k of keepFloat) {
    if (!names.has(k)) throw new Error(`${path.basename(f.file)}: '${String(k).slice(0, 80)}' is not a layer of the sensitivity analysis`);
    if (k.includes(',')) throw new Error(`layer '${k}' has a comma in its name, which --keep-float cannot take`);
  }
  const analysed = path.join(path.dirname(f.file), path.basename(f.result.model.file));
  const model = formatByName(analysed)?.uses.includes('quantize') && existsSync(analysed) ? analysed : floatSource;
  if (!model) throw new Error(`${path.basename(f.file)}: the analysed model ${f.result.model.file} is not a float model beside it; re-quantize needs the float source`);
  const base = model.replace(/(\.onnx|\/model\.json|\.json)$/i, '');
  return { model, output: `${base}.keep${keepFloat.length}.${f.result.method}.tnn`, method: f.result.method, keepFloat: keepFloat.join(',') || 'none' };
}
