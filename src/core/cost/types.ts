/** Types of the ternary-circuit cost model (docs/cost-model.md). */

/** A number in a technology profile, with where it comes from. */
export interface SourcedNumber {
  value: number;
  source: string;
  /** true when derived from stated assumptions rather than read from the source. */
  assumption: boolean;
}

export interface OpCost {
  transistors: SourcedNumber;
  energyPj: SourcedNumber;
}

/** MAC kinds: ternary×ternary, ternary×float, float×float. */
export type MacKind = 'tt' | 'tf' | 'ff';

/** How stored weights are encoded: 5 trits/byte (1.6 b), 2 bits/trit, int8, float32. */
export type WeightEncoding = 'packed' | 'twoBit' | 'int8' | 'float32';
export const WEIGHT_ENCODINGS: readonly WeightEncoding[] = ['packed', 'twoBit', 'int8', 'float32'];

export interface TechProfile {
  id: string;
  name: string;
  description: string;
  /** Encoding of ternary weights in memory under this technology. */
  weightEncoding: WeightEncoding;
  ops: { macTT: OpCost; macTF: OpCost; macFF: OpCost; add: OpCost };
  /** Where the profile was loaded from (built-in or a user file). */
  origin?: string;
}

export interface MacCounts {
  tt: number;
  tf: number;
  ff: number;
  total: number;
}

export interface WeightBits {
  packed: number;
  twoBit: number;
  int8: number;
  float32: number;
}

export interface ZeroSkip {
  /** Fraction of zero weights among the layer's MAC weights (null: no MAC weights). */
  weightZeroFraction: number | null;
  /** Fraction of zeros in the layer's input activations, where measured. */
  activationZeroFraction: number | null;
  /** MACs with a zero operand (expected value, independence assumed when both known). */
  skippableMacs: number;
}

export interface CostNumbers {
  macs: MacCounts;
  additions: number;
  params: { ternary: number; float: number };
  weightBits: WeightBits;
  /** Bits of weight memory under the profile's encoding. */
  memoryBits: number;
  zeroSkip: ZeroSkip;
  energyPj: number;
  /** Energy when every skippable MAC is skipped at no cost (an upper bound on the saving). */
  energySkipPj: number;
  /** Σ operations × transistors of the unit doing each: a serial area·time proxy. */
  transistorOps: number;
}

export interface LayerCost extends CostNumbers {
  name: string;
  op: string;
  outputShape: number[];
  macKind: MacKind | null;
  /** Transistors of one MAC unit of this layer's kind (0 when the layer does no MACs). */
  peTransistors: number;
}

export interface ModelCost {
  profile: { id: string; name: string; weightEncoding: WeightEncoding };
  layers: LayerCost[];
  totals: CostNumbers;
}

export interface CostOptions {
  /** Measured input-activation zero fraction per layer name. */
  activationSparsity?: Record<string, number>;
  /** Trit counts per ternary layer already known (e.g. from the inspect summary), to skip recounting. */
  tritCounts?: Record<string, { neg: number; zero: number; pos: number } | null>;
}
