/**
 * The activation view's protocol (extension host ↔ webview/entries/activations.ts)
 * and the reduced tensor the debug adapter sends in its `tritscope/layer`
 * custom event. Type-only; both bundles import it.
 */

/** A layer output reduced for display: ≤ 64 channel maps of ≤ 32×32, or ≤ 256 bars. */
export interface ActivationView {
  index: number;
  name: string;
  /** `conv2` or `conv2 · ternary matmul` when stopped inside a layer. */
  label: string;
  shape: number[];
  kind: 'maps' | 'vector';
  min: number;
  max: number;
  channels: { width: number; height: number; data: number[] }[];
  /** Channel count before truncation to 64. */
  totalChannels: number;
}

export type ToActivationWebview =
  | { type: 'layer'; view: ActivationView }
  | { type: 'idle'; message: string };

export type FromActivationWebview = { type: 'ready' };
