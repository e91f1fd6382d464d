/**
 * The step-through runtime: position (layer, sub-step) in one input's forward
 * pass, breakpoints on listing lines, conditions, the divergence filter and
 * pause. An EventEmitter that knows nothing of DAP (the session translates);
 * all tensor work happens behind an EngineConnection (a worker thread).
 *
 * Model of a position: stopped at layer i means layer i has run and its state
 * (input, output, sub-steps, float reference) is on show; `sub` ≥ 0 selects one
 * of its sub-steps; layer === layers.length is the result line after the last layer.
 */
import { EventEmitter } from 'node:events';
import type { EngineConnection } from './engineClient';
import { buildListing, positionOfLine, type Listing } from './listing';
import { evaluateAtLayer, validateCondition } from './metrics';
import { isTruthy, formatValue, type Value } from './expr';
import type { FinalSummary, LayerStepSummary, LayerView, ModelInfo } from '../shared/engineProtocol';

export interface RuntimeLaunch {
  model: string;
  input: string;
  compareFloat: boolean;
  stopOnEntry: boolean;
  divergenceThreshold: number;
  breakOnDivergence: boolean;
}

export interface Position {
  layer: number;
  /** −1: the layer line; k ≥ 0: the layer's k-th sub-step. */
  sub: number;
}

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'exception' | 'pause';

export interface StopInfo {
  reason: StopReason;
  description?: string;
  /** For 'exception' stops: the exception text. */
  text?: string;
}

export interface BreakpointSpec {
  line: number;
  condition?: string;
}

export interface BreakpointResult {
  line: number;
  verified: boolean;
  message?: string;
}

interface ActiveBreakpoint {
  line: number;
  condition?: string;
}

export class InferenceRuntime extends EventEmitter {
  info?: ModelInfo;
  listing?: Listing;
  launch?: RuntimeLaunch;
  position: Position = { layer: 0, sub: -1 };
  lastStop?: StopInfo;
  private readonly summaries = new Map<number, LayerStepSummary>();
  private finalSummary?: FinalSummary;
  private breakpoints: ActiveBreakpoint[] = [];
  private pauseRequested = false;
  private resultAnnounced = false;
  breakOnDivergence = false;
  divergenceThreshold = 0.2;

  constructor(private readonly engine: EngineConnection) {
    super();
  }

  get layerCount(): number {
    return this.info?.graph.layers.length ?? 0;
  }

  get atResult(): boolean {
    return this.position.layer >= this.layerCount;
  }

  /** Loads the model and input in the worker and builds the listing; does not run a layer yet. */
  async load(launch: RuntimeLaunch): Promise<ModelInfo> {
    this.launch = launch;
    this.divergenceThreshold = launch.divergenceThreshold;
    this.breakOnDivergence ||= launch.breakOnDivergence;
    this.info = await this.engine.request({ type: 'load', options: { model: launch.model, input: launch.input, compareFloat: launch.compareFloat, subSteps: true } });
    const shapes = this.info.shapes;
    this.listing = buildListing(this.info.graph, (n) => shapes[n], launch.model);
    // Which input runs (it may be a default the user never typed, e.g. random:0 for an ImageNet model).
    const gin = this.info.graph.inputs[0];
    this.emit('output', 'console', `${this.info.graph.layers.length} layers; input ${launch.input}${gin ? ` → [1,${gin.shape.join(',')}]` : ''}\n`);
    return this.info;
  }

  /** Runs the first layer and stops on entry, or continues to the first breakpoint. */
  async start(): Promise<void> {
    this.position = { layer: 0, sub: -1 };
    this.resultAnnounced = false;
    if (this.layerCount === 0) return this.arriveAtResult({ reason: 'entry' });
    await this.summary(0);
    if (this.launch?.stopOnEntry) return this.stop({ reason: 'entry', description: `stopped at layer ${this.info!.graph.layers[0].name}` });
    if (await this.stopsAt(this.position, true)) return;
    return this.continue();
  }

  /** Reloads the input (the same or a new spec) and starts over; the model stays loaded. */
  async restart(input?: string): Promise<void> {
    if (!this.launch) return;
    if (input) this.launch = { ...this.launch, input };
    await this.engine.request({ type: 'setInput', input: this.launch.input });
    this.summaries.clear();
    this.finalSummary = undefined;
    return this.start();
  }

  async summary(index: number): Promise<LayerStepSummary> {
    let s = this.summaries.get(index);
    if (!s) {
      s = await this.engine.request({ type: 'state', index });
      this.summaries.set(index, s);
    }
    return s;
  }

  async final(): Promise<FinalSummary> {
    this.finalSummary ??= await this.engine.request({ type: 'final' });
    return this.finalSummary;
  }

  get finalResult(): FinalSummary | undefined {
    return this.finalSummary;
  }

  async slice(ref: LayerStepSummary['output']['ref'], start: number, count: number): Promise<number[]> {
    return this.engine.request({ type: 'slice', ref, start, count });
  }

  async view(): Promise<LayerView | undefined> {
    if (this.atResult) {
      if (this.layerCount === 0) return undefined;
      return this.engine.request({ type: 'view', index: this.layerCount - 1, subStep: -1 });
    }
    return this.engine.request({ type: 'view', index: this.position.layer, subStep: this.position.sub });
  }

  /** 1-based listing line of a position (a sub-step maps to the listing line of the same kind). */
  async lineOf(pos: Position): Promise<number> {
    const listing = this.listing!;
    if (pos.layer >= this.layerCount) return listing.resultLine;
    const l = listing.layers[pos.layer];
    if (pos.sub < 0) return l.line;
    const subs = (await this.summary(pos.layer)).subSteps;
    const kind = subs[pos.sub]?.kind;
    const nth = subs.slice(0, pos.sub).filter((s) => s.kind === kind).length;
    return l.subSteps.filter((s) => s.kind === kind)[nth]?.line ?? l.line;
  }

  setBreakpoints(specs: BreakpointSpec[]): BreakpointResult[] {
    const listing = this.listing;
    this.breakpoints = [];
    return specs.map(({ line, condition }) => {
      if (!listing) return { line, verified: false, message: 'the model is not loaded yet' };
      const pos = positionOfLine(listing, line);
      if (pos.kind === 'none') return { line, verified: false, message: `line ${line} is not a layer, sub-step or result line of the listing` };
      const cond = condition?.trim() ? condition.trim() : undefined;
      if (cond) {
        const problem = validateCondition(cond, this.launch?.compareFloat ?? false);
        if (problem) return { line, verified: false, message: problem };
      }
      this.breakpoints.push({ line, condition: cond });
      return { line, verified: true };
    });
  }

  pause(): void {
    this.pauseRequested = true;
  }

  /** One layer (or one sub-step when inside a layer's sub-steps). */
  async next(): Promise<void> {
    if (this.atResult) return this.end();
    const p = this.position;
    return this.moveTo(p.sub >= 0 ? await this.successor(p) : { layer: p.layer + 1, sub: -1 }, { reason: 'step' });
  }

  /** Into the current layer's sub-steps (quantize input → ternary matmul → scale → bias/BN). */
  async stepIn(): Promise<void> {
    if (this.atResult) return this.end();
    return this.moveTo(await this.successor(this.position), { reason: 'step' });
  }

  /** Finishes the current layer: to the next layer's line. */
  async stepOut(): Promise<void> {
    if (this.atResult) return this.end();
    return this.moveTo({ layer: this.position.layer + 1, sub: -1 }, { reason: 'step' });
  }

  async stepBack(): Promise<void> {
    const p = this.position;
    let to: Position;
    if (p.layer >= this.layerCount) to = { layer: Math.max(0, this.layerCount - 1), sub: -1 };
    else if (p.sub >= 0) to = await this.predecessor(p);
    else to = { layer: Math.max(0, p.layer - 1), sub: -1 };
    return this.moveTo(to, { reason: 'step' });
  }

  /** Forward to the next breakpoint (or divergence stop, pause, or the result line). */
  async continue(): Promise<void> {
    this.pauseRequested = false;
    let pos = this.position;
    for (;;) {
      pos = await this.successor(pos);
      if (pos.layer >= this.layerCount) {
        const bp = await this.breakpointAt(pos);
        return this.moveTo(pos, bp ? { reason: 'breakpoint' } : { reason: 'step', description: 'end of inference' });
      }
      if (await this.stopsAt(pos, false)) return;
      if (this.pauseRequested && pos.sub < 0) return this.moveTo(pos, { reason: 'pause' });
    }
  }

  /** Backward to the previous breakpoint, or the first layer. */
  async reverseContinue(): Promise<void> {
    let pos = this.position;
    while (pos.layer > 0 || pos.sub >= 0) {
      pos = await this.predecessor(pos);
      if (await this.breakpointAt(pos)) return this.moveTo(pos, { reason: 'breakpoint' });
    }
    return this.moveTo({ layer: 0, sub: -1 }, { reason: 'entry', description: 'at the first layer' });
  }

  /** Evaluates an expression at the current layer (debug console, watch, hover). */
  async evaluate(expression: string): Promise<Value> {
    const current = this.atResult ? (this.layerCount ? await this.summary(this.layerCount - 1) : undefined) : await this.summary(this.position.layer);
    return evaluateAtLayer(expression, current, async (name) => {
      const i = this.info?.graph.layers.findIndex((l) => l.name === name) ?? -1;
      return i >= 0 ? this.summary(i) : undefined;
    });
  }

  /** Indices of a layer's engine sub-steps that have a listing line (the ones stepping visits). */
  async subStepIndices(layer: number): Promise<number[]> {
    const subs = (await this.summary(layer)).subSteps;
    const layerLine = this.listing!.layers[layer].line;
    const out: number[] = [];
    for (let k = 0; k < subs.length; k++) if ((await this.lineOf({ layer, sub: k })) !== layerLine) out.push(k);
    return out;
  }

  /** The next position in execution order: layer line → its sub-steps → the next layer line. */
  private async successor(pos: Position): Promise<Position> {
    const subs = await this.subStepIndices(pos.layer);
    const next = subs.find((k) => k > pos.sub);
    return next !== undefined ? { layer: pos.layer, sub: next } : { layer: pos.layer + 1, sub: -1 };
  }

  private async predecessor(pos: Position): Promise<Position> {
    if (pos.layer >= this.layerCount) {
      const last = this.layerCount - 1;
      return { layer: last, sub: (await this.subStepIndices(last)).at(-1) ?? -1 };
    }
    if (pos.sub >= 0) {
      const prev = (await this.subStepIndices(pos.layer)).filter((k) => k < pos.sub).at(-1);
      return { layer: pos.layer, sub: prev ?? -1 };
    }
    if (pos.layer === 0) return pos;
    return { layer: pos.layer - 1, sub: (await this.subStepIndices(pos.layer - 1)).at(-1) ?? -1 };
  }

  /** Whether the forward motion stops at `pos` (breakpoint or divergence filter); stops there if so. */
  private async stopsAt(pos: Position, atStart: boolean): Promise<boolean> {
    if (await this.breakpointAt(pos)) { await this.moveTo(pos, { reason: 'breakpoint' }); return true; }
    if (pos.sub < 0 && this.breakOnDivergence && !atStart) {
      const s = await this.summary(pos.layer);
      if (s.float && s.float.relL2 > this.divergenceThreshold) {
        const text = `divergence ${s.float.relL2.toPrecision(4)} > ${formatValue(this.divergenceThreshold)} at layer ${s.name} (relative L2 of the ternary output vs the float reference)`;
        await this.moveTo(pos, { reason: 'exception', description: 'Divergence above threshold', text });
        return true;
      }
    }
    return false;
  }

  private async breakpointAt(pos: Position): Promise<boolean> {
    if (!this.breakpoints.length) return false;
    const line = await this.lineOf(pos);
    for (const bp of this.breakpoints.filter((b) => b.line === line)) {
      if (!bp.condition) return true;
      try {
        if (isTruthy(await this.evaluate0(bp.condition, pos))) return true;
      } catch (e) {
        this.emit('output', 'stderr', `breakpoint condition on line ${bp.line}: ${(e as Error).message}\n`);
        return true;
      }
    }
    return false;
  }

  private async evaluate0(expr: string, pos: Position): Promise<Value> {
    const saved = this.position;
    this.position = pos;
    try {
      return await this.evaluate(expr);
    } finally {
      this.position = saved;
    }
  }

  private async moveTo(pos: Position, stop: StopInfo): Promise<void> {
    if (pos.layer >= this.layerCount) return this.arriveAtResult(stop);
    await this.summary(pos.layer);
    this.position = pos;
    return this.stop(stop);
  }

  private async arriveAtResult(stop: StopInfo): Promise<void> {
    this.position = { layer: this.layerCount, sub: -1 };
    const f = await this.final();
    if (!this.resultAnnounced) {
      this.resultAnnounced = true;
      this.emit('output', 'console', `${describeResult(f)}\n`);
    }
    return this.stop(stop);
  }

  private stop(stop: StopInfo): void {
    this.lastStop = stop;
    this.emit('stopped', stop);
  }

  private end(): void {
    this.emit('end');
  }
}

/** One line summing up the prediction, e.g. `prediction: Ankle boot (class 9, p=0.91); float reference agrees (Ankle boot)`. */
export function describeResult(f: FinalSummary): string {
  const p = f.probabilities[f.predicted];
  let text = `prediction: ${f.predictedLabel} (class ${f.predicted}, p=${formatValue(p)})`;
  if (f.floatPredicted !== undefined)
    text += f.agree ? `; float reference agrees (${f.floatPredictedLabel})` : `; float reference predicts ${f.floatPredictedLabel} (class ${f.floatPredicted}) — DISAGREES`;
  return text;
}
