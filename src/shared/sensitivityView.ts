/**
 * What the model viewer shows of a `<model>.sensitivity.json` (src/core/sensitivity/schema.ts):
 * the per-layer sweep as a chart and the keep-float proposals with a "Re-quantize with this set"
 * action. The extension host reads and checks the file; the webview gets this projection.
 * No runtime dependencies: both bundles import this file.
 */

export interface SensitivityScoreView {
  top1: number;
  kl: number;
}

export interface SensitivityLayerView {
  name: string;
  weights: number;
  onlyThis: SensitivityScoreView;
  allButThis: SensitivityScoreView;
}

export interface KeepFloatPlanView {
  keepFloat: string[];
  floatWeightShare: number;
  bitsPerWeight: number;
  energyPj: number;
  predictedTop1: number;
  measuredTop1: number;
  measuredKl: number;
}

export interface SensitivityProposalView {
  budget: string;
  proposal: KeepFloatPlanView;
  /** First and last weight layers float (the seed paper's rule). */
  defaultRule: KeepFloatPlanView & { fits: boolean };
}

export interface SensitivityView {
  /** The sensitivity file's base name, and the model it analysed (base name, beside it). */
  file: string;
  model: string;
  n: number;
  data: string;
  method: string;
  engine: string;
  sweepSeconds: number;
  float: { top1: number };
  allTernary: SensitivityScoreView;
  layers: SensitivityLayerView[];
  proposals: SensitivityProposalView[];
}
