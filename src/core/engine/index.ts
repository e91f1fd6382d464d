/**
 * The packed ternary engine: `.tnn` weights repacked into bit-planes at load,
 * ternary layers run on WebAssembly SIMD kernels (popcount for
 * ternary·ternary, additions only for ternary·float), everything else in float
 * with the reference executor's arithmetic, so results match `runReference`.
 */
import { DataError, ExecutionError } from '../errors';
import type { TnnModel } from '../graph/types';
import { sizeOf, type Tensor } from '../tensor';
import { compileModel, runLayer, type CompiledModel } from './compile';
import { countingKernels, createKernels, type Kernels } from './kernels';
import { PackedStepper } from './stepper';
import type { StepOptions, Stepper } from './stepper-types';

export type { Stepper, StepOptions, LayerState, SubStep, FinalResult, Divergence } from './stepper-types';
export { simdSupported } from './kernels';

export interface EngineOptions {
  /** false forces the TypeScript fallback kernels; default: SIMD when supported. */
  simd?: boolean;
  /** Count kernel calls by name (kernelCalls()); for the bench's report of what ran, not for timing. */
  countKernels?: boolean;
}

export interface PackedEngine {
  run(input: Tensor): Tensor;
  steps(input: Tensor, opts?: StepOptions): Stepper;
  /** Bytes held by the ternary layers' runtime bit-planes: 2 bits per weight, each plane rounded up to a byte, each matrix to 16 bytes. */
  runtimeWeightBytes: number;
  /** The same weights as float32. */
  fp32WeightBytes: number;
  simd: boolean;
  /** The kernel implementation in use (Kernels.family). */
  kernelFamily: string;
  /** Kernel calls by name since load, when loaded with countKernels. */
  kernelCalls(): Record<string, number>;
  /** Bytes of the engine's WebAssembly memory (weights and the largest scratch so far). */
  memoryBytes(): number;
}

/** Checks the input against graph.inputs[0] (batch in dim 0), as the reference executor does. */
export function checkInput(model: TnnModel, input: Tensor): void {
  const gin = model.graph.inputs[0];
  if (!gin) throw new ExecutionError(`graph '${model.graph.name}' has no input`);
  if (!input || !(input.data instanceof Float32Array) || !Array.isArray(input.shape)) {
    throw new DataError(`input '${gin.name}': expected a float32 tensor of shape [N,${gin.shape.join(',')}]`);
  }
  if (input.shape.length !== gin.shape.length + 1 || input.shape.slice(1).join(',') !== gin.shape.join(',') || input.shape[0] < 1) {
    throw new ExecutionError(`input '${gin.name}': expected shape [N,${gin.shape.join(',')}], got [${input.shape.join(',')}]`);
  }
  if (input.data.length !== sizeOf(input.shape)) {
    throw new ExecutionError(`input '${gin.name}': ${input.data.length} values do not fill shape [${input.shape.join(',')}]`);
  }
}

/** Runs the whole graph with fused epilogues; returns graph.outputs[0]. */
export function runCompiled(compiled: CompiledModel, input: Tensor): Tensor {
  const graph = compiled.model.graph;
  checkInput(compiled.model, input);
  const values = new Map<string, Tensor>([[graph.inputs[0].name, input]]);
  const get = (name: string, layerName: string): Tensor => {
    const v = values.get(name);
    if (!v) throw new ExecutionError(`layer '${layerName}': input value '${name}' is not produced by the graph input or an earlier layer`);
    return v;
  };
  for (let i = 0; i < compiled.layers.length; i++) {
    const c = compiled.layers[i];
    const xs = c.layer.inputs.map((n) => get(n, c.layer.name));
    let y: Tensor;
    let last = c;
    if (c.fused) {
      const epi = c.fused.epilogue;
      y = runLayer(c, xs, undefined, epi.residualOf === undefined ? epi : { ...epi, residual: get(epi.residualOf, c.layer.name) });
      i += c.fused.absorbs;
      last = compiled.layers[i];
    } else y = runLayer(c, xs);
    for (const o of last.layer.outputs) values.set(o, y);
  }
  const out = values.get(graph.outputs[0]);
  if (!out) throw new ExecutionError(`graph output '${graph.outputs[0]}' is not produced by any layer`);
  return out;
}

class Engine implements PackedEngine {
  readonly simd: boolean;
  readonly kernelFamily: string;
  readonly runtimeWeightBytes: number;
  readonly fp32WeightBytes: number;
  constructor(private readonly compiled: CompiledModel, private readonly kernels: Kernels, private readonly calls?: Map<string, number>) {
    this.simd = kernels.simd;
    this.kernelFamily = kernels.family;
    this.runtimeWeightBytes = compiled.runtimeWeightBytes;
    this.fp32WeightBytes = compiled.fp32WeightBytes;
  }
  run(input: Tensor): Tensor {
    return runCompiled(this.compiled, input);
  }
  kernelCalls(): Record<string, number> {
    return Object.fromEntries(this.calls ?? []);
  }
  memoryBytes(): number {
    return this.kernels.heap.memory.buffer.byteLength;
  }
  steps(input: Tensor, opts: StepOptions = {}): Stepper {
    checkInput(this.compiled.model, input);
    return new PackedStepper(this.compiled, input, opts);
  }
}

/** Compiles `model` (never modified) for the packed engine. */
export async function loadPackedEngine(model: TnnModel, opts: EngineOptions = {}): Promise<PackedEngine> {
  const base = createKernels(opts.simd);
  const calls = opts.countKernels ? new Map<string, number>() : undefined;
  const kernels = calls ? countingKernels(base, calls) : base;
  return new Engine(compileModel(model, kernels), base, calls);
}
