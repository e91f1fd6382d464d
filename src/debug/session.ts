/**
 * The Debug Adapter Protocol session over InferenceRuntime. Used both inline in
 * the extension (DebugAdapterInlineImplementation) and behind the standalone
 * stdio entry src/debug/main.ts. Never imports `vscode`.
 */
import { displayModelName } from '../core/graph/display-name';
import * as path from 'node:path';
import {
  DebugSession, Event, InitializedEvent, OutputEvent, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { WorkerEngineConnection, type EngineConnection } from './engineClient';
import { InferenceRuntime, describeResult, type StopInfo } from './runtime';
import { listingUriFor, modelPathOfListing } from './listing';
import { VariableStore, type RecordValue } from './variables';
import { formatValue } from './expr';
import { buildScopeChildren, scopesFor, type ScopeId } from './scopes';

/** Launch arguments of a `tritscope` debug configuration. */
export interface TritscopeLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  model?: string;
  /** `fashion-mnist:test#0`, a `.npy`, a PNG/JPEG, `random[:seed]`. */
  input?: string;
  stopOnEntry?: boolean;
  compareFloat?: boolean;
  /** Relative-L2 threshold of the "Break on divergence" filter (default 0.2). */
  divergenceThreshold?: number;
  breakOnDivergence?: boolean;
  /** Serve the listing through DAP `source` requests (sourceReference) instead of the `tritscope-listing:` URI. */
  listingBySourceReference?: boolean;
}

export const THREAD_ID = 1;
const TOP_FRAME = 1;
const MODEL_FRAME = 2;
export const LAYER_EVENT = 'tritscope/layer';
export const ERROR_EVENT = 'tritscope/error';
export const DIVERGENCE_FILTER = 'divergence';

export interface SessionOptions {
  /** Creates the engine connection (default: the inference worker next to this bundle). */
  connect?: () => EngineConnection;
}

export class TritscopeDebugSession extends DebugSession {
  private runtime?: InferenceRuntime;
  private engine?: EngineConnection;
  private readonly vars = new VariableStore();
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((r) => (this.configured = r));
  private launchArgs?: TritscopeLaunchArguments;
  private filterEnabled = false;
  private filterThreshold?: number;
  private ended = false;

  constructor(private readonly options: SessionOptions = {}) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsStepBack: true,
      supportsRestartRequest: true,
      supportsEvaluateForHovers: true,
      supportsExceptionInfoRequest: true,
      supportsTerminateRequest: true,
      supportsExceptionFilterOptions: true,
      exceptionBreakpointFilters: [{
        filter: DIVERGENCE_FILTER,
        label: 'Break on divergence',
        description: 'Stop at the first layer whose output diverges from the float reference (relative L2) more than the threshold',
        default: false,
        supportsCondition: true,
        conditionDescription: 'threshold, e.g. 0.3 (default: the launch divergenceThreshold)',
      }],
    };
    this.sendResponse(response);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configured();
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: TritscopeLaunchArguments): Promise<void> {
    this.launchArgs = args;
    try {
      if (typeof args.model !== 'string' || !args.model) throw new Error('launch configuration: "model" must be the path of a .tnn file');
      this.engine = (this.options.connect ?? (() => new WorkerEngineConnection()))();
      const rt = (this.runtime = new InferenceRuntime(this.engine));
      rt.on('stopped', (s: StopInfo) => this.onStopped(s));
      rt.on('output', (category: string, text: string) => this.sendEvent(new OutputEvent(text, category)));
      rt.on('end', () => this.finish());
      await rt.load({
        model: path.resolve(args.model),
        input: args.input ?? 'random:0',
        compareFloat: args.compareFloat ?? true,
        stopOnEntry: args.stopOnEntry ?? true,
        divergenceThreshold: typeof args.divergenceThreshold === 'number' ? args.divergenceThreshold : 0.2,
        breakOnDivergence: args.breakOnDivergence ?? false,
      });
      this.applyFilter();
    } catch (e) {
      // Not an error response: VS Code shows those as a modal dialog. The session ends with the
      // message on stderr (debug console) and a `tritscope/error` event (the extension's notification).
      this.sendResponse(response);
      return this.fail(e, true);
    }
    this.sendEvent(new InitializedEvent());
    await Promise.race([this.configurationDone, new Promise((r) => setTimeout(r, 2000))]);
    this.sendResponse(response);
    this.guard(() => this.runtime!.start());
  }

  /** Runs a runtime operation; any failure ends the session with a message instead of throwing. */
  private guard(op: () => Promise<void>): void {
    op().catch((e) => this.fail(e, true));
  }

  private fail(e: unknown, notify: boolean): void {
    const message = (e as Error)?.message ?? String(e);
    this.sendEvent(new OutputEvent(`Tritscope debugger: ${message}\n`, 'stderr'));
    if (notify) this.sendEvent(new Event(ERROR_EVENT, { message }));
    this.finish();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.sendEvent(new TerminatedEvent());
    void this.engine?.dispose();
  }

  private onStopped(s: StopInfo): void {
    this.vars.reset();
    const ev = new StoppedEvent(s.reason, THREAD_ID, s.text) as DebugProtocol.StoppedEvent;
    if (s.description) ev.body.description = s.description;
    ev.body.allThreadsStopped = true;
    this.sendEvent(ev);
    const rt = this.runtime!;
    rt.view().then((view) => view && this.sendEvent(new Event(LAYER_EVENT, view)), () => undefined);
  }

  private applyFilter(): void {
    if (!this.runtime) return;
    this.runtime.breakOnDivergence = this.filterEnabled || Boolean(this.launchArgs?.breakOnDivergence);
    this.runtime.divergenceThreshold = this.filterThreshold ?? this.runtime.launch?.divergenceThreshold ?? 0.2;
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    const option = args.filterOptions?.find((f) => f.filterId === DIVERGENCE_FILTER);
    this.filterEnabled = args.filters.includes(DIVERGENCE_FILTER) || Boolean(option);
    const t = option?.condition !== undefined ? Number(option.condition) : undefined;
    this.filterThreshold = t !== undefined && Number.isFinite(t) ? t : undefined;
    this.applyFilter();
    const bad = option?.condition !== undefined && this.filterThreshold === undefined;
    response.body = { breakpoints: args.filterOptions?.map(() => ({ verified: !bad, message: bad ? `threshold '${option?.condition}' is not a number` : undefined })) };
    this.sendResponse(response);
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const rt = this.runtime;
    const specs = args.breakpoints?.map((b) => ({ line: b.line, condition: b.condition })) ?? args.lines?.map((line) => ({ line })) ?? [];
    const model = rt?.launch?.model;
    const ours = !args.source.path || !model || path.resolve(modelPathOfListing(args.source.path)) === model;
    const results = rt && ours
      ? rt.setBreakpoints(specs)
      : specs.map((s) => ({ line: s.line, verified: false, message: rt ? `${args.source.path} is not the listing of ${model}` : 'no model loaded' }));
    response.body = { breakpoints: results.map((r) => ({ verified: r.verified, line: r.line, message: r.message })) };
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, 'inference')] };
    this.sendResponse(response);
  }

  private listingSource(): Source {
    const model = this.runtime!.launch!.model;
    const name = `${path.basename(model)}.listing`;
    if (this.launchArgs?.listingBySourceReference) return new Source(name, undefined, 1000);
    return new Source(name, listingUriFor(model));
  }

  protected override async stackTraceRequest(response: DebugProtocol.StackTraceResponse): Promise<void> {
    const rt = this.runtime;
    if (!rt?.listing) { response.body = { stackFrames: [], totalFrames: 0 }; return this.sendResponse(response); }
    const pos = rt.position;
    const line = await rt.lineOf(pos);
    let name = 'result';
    if (!rt.atResult) {
      const layer = rt.info!.graph.layers[pos.layer];
      name = layer.name;
      if (pos.sub >= 0) name += ` · ${(await rt.summary(pos.layer)).subSteps[pos.sub]?.label ?? `sub-step ${pos.sub}`}`;
    }
    const src = this.listingSource();
    const frames = [new StackFrame(TOP_FRAME, name, src, line, 1), new StackFrame(MODEL_FRAME, displayModelName(rt.info!.graph.name, rt.launch?.model ?? 'model'), src, 1, 1)];
    response.body = { stackFrames: frames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const rt = this.runtime;
    const scopes = rt ? scopesFor(rt, args.frameId === MODEL_FRAME) : [];
    response.body = { scopes: scopes.map((s) => new Scope(s.name, this.vars.ref({ kind: 'scope', id: s.id }), s.expensive)) };
    this.sendResponse(response);
  }

  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    try {
      const node = this.vars.get(args.variablesReference);
      const rt = this.runtime;
      let variables: DebugProtocol.Variable[] = [];
      if (node && rt) {
        if (node.kind === 'scope') {
          const entries = await buildScopeChildren(rt, node.id as ScopeId);
          variables = entries.map(([k, v]) => this.vars.recordVariable(k, v));
        } else variables = await this.vars.children(node, (ref, start, count) => rt.slice(ref, start, count), args);
      }
      response.body = { variables };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 1002, (e as Error).message);
    }
  }

  protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    try {
      if (!this.runtime?.info) throw new Error('no model loaded');
      // Hovering a layer name in the listing shows that layer's metrics.
      const isLayerName = args.context === 'hover' && this.runtime.info.graph.layers.some((l) => l.name === args.expression);
      const v = await this.runtime.evaluate(isLayerName ? `layer(${JSON.stringify(args.expression)})` : args.expression);
      const asVar = typeof v === 'object' && v !== null ? this.vars.recordVariable(args.expression, v as RecordValue) : undefined;
      response.body = { result: asVar?.value ?? formatValue(v), variablesReference: asVar?.variablesReference ?? 0 };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 1003, (e as Error).message);
    }
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse): void {
    const listing = this.runtime?.listing;
    if (!listing) return this.sendErrorResponse(response, 1004, 'no model loaded');
    response.body = { content: listing.text, mimeType: 'text/plain' };
    this.sendResponse(response);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const stop = this.runtime?.lastStop;
    response.body = { exceptionId: DIVERGENCE_FILTER, description: stop?.text ?? stop?.description, breakMode: 'always' };
    this.sendResponse(response);
  }

  // Motion requests answer at once; the stop follows as a `stopped` event.
  private motion(response: DebugProtocol.Response, op: (rt: InferenceRuntime) => Promise<void>): void {
    this.sendResponse(response);
    if (this.runtime && !this.ended) this.guard(() => op(this.runtime!));
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.motion(response, (rt) => rt.continue());
  }
  protected override nextRequest(response: DebugProtocol.NextResponse): void { this.motion(response, (rt) => rt.next()); }
  protected override stepInRequest(response: DebugProtocol.StepInResponse): void { this.motion(response, (rt) => rt.stepIn()); }
  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void { this.motion(response, (rt) => rt.stepOut()); }
  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): void { this.motion(response, (rt) => rt.stepBack()); }
  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void { this.motion(response, (rt) => rt.reverseContinue()); }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.runtime?.pause();
    this.sendResponse(response);
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    const next = args.arguments as TritscopeLaunchArguments | undefined;
    this.motion(response, async (rt) => {
      this.vars.reset();
      if (next?.stopOnEntry !== undefined && rt.launch) rt.launch.stopOnEntry = next.stopOnEntry;
      await rt.restart(typeof next?.input === 'string' ? next.input : undefined);
    });
  }

  protected override async customRequest(command: string, response: DebugProtocol.Response): Promise<void> {
    if (command === 'tritscope/layerView' && this.runtime) {
      try {
        response.body = await this.runtime.view();
        this.sendResponse(response);
      } catch (e) {
        this.sendErrorResponse(response, 1005, (e as Error).message);
      }
      return;
    }
    if (command === 'tritscope/result' && this.runtime?.info) {
      const f = await this.runtime.final();
      response.body = { ...f, text: describeResult(f) };
      return this.sendResponse(response);
    }
    super.customRequest(command, response, undefined);
  }

  protected override async disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    this.ended = true;
    await this.engine?.dispose().catch(() => undefined);
    this.sendResponse(response);
    // Exits the standalone process; a no-op inline and in server mode.
    this.shutdown();
  }

  protected override async terminateRequest(response: DebugProtocol.TerminateResponse): Promise<void> {
    this.sendResponse(response);
    this.finish();
  }
}
