/** LayerRow builders for the graph view's unit tests. */
import type { LayerRow } from '../../../src/shared/messages';

export function row(index: number, name: string, op: string, inputs: string[], extra: Partial<LayerRow> = {}): LayerRow {
  return {
    index, name, op, shape: [], outputShape: null, ternary: false, actTernary: false, method: null,
    deltaP: null, deltaN: null, alphaP: null, alphaN: null, gamma: null, trits: null, sparsity: null,
    entropyBits: null, relError: null, hasLatent: false, cost: null, inputs, outputs: [`${name}:0`], ...extra,
  };
}

/** input → conv1 → relu1 → [conv2 → bn2] + relu1 (skip) → add → fc → output: one residual block. */
export function residualRows(): LayerRow[] {
  return [
    row(0, 'conv1', 'conv2d', ['input'], { ternary: false, shape: [8, 3, 3, 3], outputShape: [8, 16, 16] }),
    row(1, 'relu1', 'relu', ['conv1:0']),
    row(2, 'conv2', 'conv2d', ['relu1:0'], { ternary: true, sparsity: 0.4, entropyBits: 1.5, relError: 0.2, trits: { neg: 3, zero: 4, pos: 3 } }),
    row(3, 'bn2', 'batchnorm', ['conv2:0']),
    row(4, 'add', 'add', ['bn2:0', 'relu1:0']),
    row(5, 'fc', 'dense', ['add:0'], { ternary: true, sparsity: 0.1, entropyBits: 1.2, relError: 0.05, trits: { neg: 4, zero: 1, pos: 5 } }),
  ];
}
