/**
 * The model viewer custom editor: a read-only editor whose document parses the
 * model in a worker (InspectClient) and whose webview (webview/main.ts) speaks
 * src/shared/messages.ts. One provider serves three view types: `.tnn`
 * (default), GGUF (default) and safetensors checkpoints (an option, so other
 * safetensors files keep their editor). Weights-only models get their header and
 * table first, then statistics streamed from the worker (./weightsStream.ts).
 * Nothing here throws into the extension host: load failures become a
 * LoadError message shown in the editor.
 */
import * as vscode from 'vscode';
import { webviewHtml } from '../webviewHtml';
import { tritscopeLog } from '../safeCommand';
import {
  FromWebview, ToWebview, isFromWebview,
  type EditorAction, type FromWebviewMessage, type GraphOverlay, type ModelView, type ToWebviewMessage,
} from '../../shared/messages';
import { InspectClient } from './inspectClient';
import { errorView, WorkerError } from '../../shared/rpc';
import { configuredProfiles, profileView } from './profiles';
import { WeightsToWebview } from '../../shared/weightsView';
import { WeightsStatsStream } from './weightsStream';
import { findSensitivity, sensitivityOverlay, sensitivityView, type FoundSensitivity } from '../sensitivity/found';

export const VIEW_TYPE = 'tritscope.tnnEditor';
/** GGUF files: their own view type, so the `.tnn` editor's title actions (step through, re-quantize, compare) stay off them. */
export const WEIGHTS_VIEW_TYPE = 'tritscope.weightsEditor';
/** safetensors checkpoints: registered with `option` priority (package.json). */
export const CHECKPOINT_VIEW_TYPE = 'tritscope.checkpointEditor';
export const VIEW_TYPES = [VIEW_TYPE, WEIGHTS_VIEW_TYPE, CHECKPOINT_VIEW_TYPE] as const;
/** A weights-only model's statistics start when its view reports the table drawn, or after this long. */
const STATS_START_FALLBACK_MS = 1000;

/** `tritscope.memoryBandwidthGBs`, or the default when unset or not a positive number. */
export function configuredBandwidth(): number {
  const v = vscode.workspace.getConfiguration('tritscope').get<number>('memoryBandwidthGBs');
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 50;
}

const baseName = (u: vscode.Uri) => u.path.split('/').pop() ?? '';

/**
 * When `uri` is one side of an open diff tab, the other side. A text diff exposes
 * both URIs; a diff of two custom editors has no typed tab input (undefined), only
 * its label "a.tnn ↔ b.tnn", so the other side is found among the open documents.
 */
export function diffPartnerOf(uri: vscode.Uri, openDocs: readonly vscode.Uri[]): vscode.Uri | null {
  const key = uri.toString();
  const name = baseName(uri);
  for (const group of vscode.window.tabGroups.all)
    for (const tab of group.tabs) {
      const input = tab.input;
      if (input instanceof vscode.TabInputTextDiff) {
        const other = input.original.toString() === key ? input.modified : input.modified.toString() === key ? input.original : null;
        if (other && other.path.toLowerCase().endsWith('.tnn')) return other;
      } else if (input === undefined && tab.label.includes(' ↔ ')) {
        const [a, b] = tab.label.split(' ↔ ').map((x) => x.trim());
        const otherName = a === name ? b : b === name ? a : null;
        const other = otherName ? openDocs.find((d) => d.toString() !== key && baseName(d) === otherName) : undefined;
        if (other) return other;
      }
    }
  return null;
}

export class TnnDocument implements vscode.CustomDocument {
  readonly client: InspectClient;
  view: ModelView | null = null;
  /** Weights-only models (GGUF, safetensors checkpoints, weights-only `.tnn`): header view and streamed statistics. */
  weights: WeightsStatsStream | null = null;
  profileId: string | null = null;
  /** The other model when this document is one side of a diff view (vscode.diff of two .tnn). */
  diffPartner: vscode.Uri | null = null;
  /** `<model>.sensitivity.json` beside the model (or its float source), when there is one. */
  sensitivity: FoundSensitivity | null = null;
  private loading: Promise<void> | null = null;

  constructor(readonly uri: vscode.Uri, extensionPath: string) {
    this.client = new InspectClient(extensionPath);
  }

  /** Parse once (or again after a change on disk); concurrent callers share the parse. */
  load(force = false): Promise<void> {
    if (force || !this.loading) {
      this.loading = (async () => {
        this.view = null;
        // Opening again in the worker cancels its statistics pass; this stream stops relaying.
        this.weights?.dispose();
        this.weights = null;
        const { profiles, selectedId } = await configuredProfiles();
        const id = this.profileId ?? selectedId;
        const opened = await this.client.open(this.uri.fsPath, profiles.find((p) => p.id === id) ?? null);
        if (opened.kind === 'weights') this.weights = new WeightsStatsStream(this.client, opened.view, this.uri.fsPath);
        else this.view = opened.view;
      })();
      this.loading.catch(() => { this.loading = null; });
    }
    return this.loading;
  }

  dispose(): void {
    // Terminating the worker stops a statistics pass in flight.
    this.weights?.dispose();
    this.client.dispose();
  }
}

/** A message between a model viewer and its webview, as the extension API's `editorMessages` event reports it. */
export type EditorMessageEvent =
  | { uri: string; direction: 'toWebview'; message: ToWebviewMessage }
  | { uri: string; direction: 'fromWebview'; message: FromWebviewMessage };

export class TnnEditorProvider implements vscode.CustomReadonlyEditorProvider<TnnDocument> {
  private readonly exchanged = new vscode.EventEmitter<EditorMessageEvent>();
  /** Fires for every message to and from the viewers' webviews; nothing is kept when no one listens. */
  readonly onDidExchangeMessage = this.exchanged.event;
  private readonly panels = new Map<TnnDocument, Set<vscode.WebviewPanel>>();
  /** Each panel's subscription to its document's statistics stream. */
  private readonly statsSubscriptions = new Map<vscode.WebviewPanel, () => void>();
  private active: { doc: TnnDocument; panel: vscode.WebviewPanel } | null = null;
  /** Graph overlays per model URI, kept so a viewer opened or re-shown later gets them too. */
  private readonly overlays = new Map<string, Map<string, GraphOverlay>>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly runAction: (action: EditorAction, doc: TnnDocument) => Promise<void>,
  ) {}

  openCustomDocument(uri: vscode.Uri): TnnDocument {
    const doc = new TnnDocument(uri, this.context.extensionUri.fsPath);
    // Parse in the worker while the webview starts (its bundle loads and runs meanwhile): when it says
    // `ready` the model is there or nearly. A failure is reported then, by sendModel's own load().
    doc.load().catch(() => undefined);
    return doc;
  }

  /** The document of the focused (or last focused) Tritscope editor. */
  activeDocument(): TnnDocument | null {
    return this.active?.doc ?? null;
  }

  documentFor(uri: vscode.Uri): TnnDocument | null {
    for (const d of this.panels.keys()) if (d.uri.toString() === uri.toString()) return d;
    return null;
  }

  resolveCustomEditor(doc: TnnDocument, panel: vscode.WebviewPanel): void {
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    panel.webview.html = webviewHtml(panel.webview, this.context.extensionUri, 'webview', doc.uri.path.split('/').pop() ?? 'model', { workers: true });
    const set = this.panels.get(doc) ?? new Set();
    set.add(panel);
    this.panels.set(doc, set);
    this.active = { doc, panel };
    // The other side of a diff may have opened before this one: let it learn its partner.
    setTimeout(() => this.refreshDiffPartners(), 300);

    const subs: vscode.Disposable[] = [];
    subs.push(panel.onDidChangeViewState((e) => { if (e.webviewPanel.active) this.active = { doc, panel }; }));
    subs.push(panel.webview.onDidReceiveMessage((m: unknown) => { void this.onMessage(doc, panel, m); }));
    // Re-render when the file changes on disk (the model is re-parsed once for all panels).
    const folder = vscode.Uri.joinPath(doc.uri, '..');
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, doc.uri.path.split('/').pop() ?? '*'));
    let timer: NodeJS.Timeout | undefined;
    const reload = () => {
      clearTimeout(timer);
      timer = setTimeout(() => { void this.sendModel(doc, panel, true); }, 200);
    };
    subs.push(watcher, watcher.onDidChange(reload), watcher.onDidCreate(reload));
    panel.onDidDispose(() => {
      clearTimeout(timer);
      this.statsSubscriptions.get(panel)?.();
      this.statsSubscriptions.delete(panel);
      subs.forEach((s) => s.dispose());
      set.delete(panel);
      if (!set.size) this.panels.delete(doc);
      if (this.active?.panel === panel) this.active = null;
    });
  }

  private post(panel: vscode.WebviewPanel, doc: TnnDocument, message: ToWebviewMessage): void {
    this.exchanged.fire({ uri: doc.uri.toString(), direction: 'toWebview', message });
    void Promise.resolve(panel.webview.postMessage(message)).catch(() => undefined);
  }

  private async sendModel(doc: TnnDocument, panel: vscode.WebviewPanel, reload: boolean): Promise<void> {
    this.post(panel, doc, { type: ToWebview.Loading, fileName: doc.uri.path.split('/').pop() ?? '' });
    try {
      await doc.load(reload);
      if (doc.weights) {
        this.sendWeights(doc, panel, doc.weights);
        return;
      }
      const conf = await configuredProfiles();
      doc.diffPartner = diffPartnerOf(doc.uri, [...this.panels.keys()].map((d) => d.uri));
      this.post(panel, doc, {
        type: ToWebview.Model,
        model: doc.view!,
        profiles: conf.profiles.map(profileView),
        profileId: doc.profileId ?? conf.selectedId,
        profileError: conf.error,
        ...(doc.diffPartner ? { diffWith: doc.diffPartner.path.split('/').pop() } : {}),
      });
      for (const overlay of this.overlays.get(doc.uri.toString())?.values() ?? []) this.post(panel, doc, { type: ToWebview.Overlay, overlay });
      this.sendSensitivity(doc, panel);
    } catch (err) {
      const error = err instanceof WorkerError ? err.view : errorView(err, doc.uri.fsPath);
      tritscopeLog().appendLine(`[editor] ${doc.uri.fsPath}: ${error.message}`);
      this.post(panel, doc, { type: ToWebview.LoadError, error });
    }
  }

  /**
   * What is known of a weights-only model (header, table, statistics so far), then every later statistics
   * message. The pass starts once the webview has drawn the table (its `rendered` message), or after
   * STATS_START_FALLBACK_MS, so the header and table do not compete with it for the CPU.
   */
  private sendWeights(doc: TnnDocument, panel: vscode.WebviewPanel, stream: WeightsStatsStream): void {
    this.statsSubscriptions.get(panel)?.();
    this.post(panel, doc, { type: WeightsToWebview.Weights, view: stream.view, stats: stream.state, bandwidthGBs: configuredBandwidth() });
    const unsubscribe = stream.subscribe((m) => this.post(panel, doc, m));
    const fallback = setTimeout(() => stream.start(), STATS_START_FALLBACK_MS);
    this.statsSubscriptions.set(panel, () => {
      clearTimeout(fallback);
      unsubscribe();
    });
  }

  /** `tritscope.memoryBandwidthGBs` changed: tell the weights-only views. */
  refreshBandwidth(): void {
    const bandwidthGBs = configuredBandwidth();
    for (const [doc, set] of this.panels) if (doc.weights) for (const p of set) this.post(p, doc, { type: WeightsToWebview.Bandwidth, bandwidthGBs });
  }

  private async onMessage(doc: TnnDocument, panel: vscode.WebviewPanel, m: unknown): Promise<void> {
    if (!isFromWebview(m)) return;
    this.exchanged.fire({ uri: doc.uri.toString(), direction: 'fromWebview', message: m });
    try {
      switch (m.type) {
        case FromWebview.Ready:
          await this.sendModel(doc, panel, false);
          break;
        case FromWebview.SelectProfile: {
          const { profiles } = await configuredProfiles();
          const profile = profiles.find((p) => p.id === m.profileId);
          if (!profile) throw new Error(`cost profile "${m.profileId}" not found`);
          await doc.load();
          const r = await doc.client.cost(profile);
          doc.profileId = profile.id;
          this.post(panel, doc, { type: ToWebview.Cost, inReplyTo: m.messageId, profileId: r.profileId, layers: r.layers, totals: r.totals });
          break;
        }
        case FromWebview.RequestHistogram: {
          await doc.load();
          const h = await doc.client.histogram(m.layer);
          const row = doc.view?.layers.find((l) => l.name === m.layer);
          if (!h) break;
          this.post(panel, doc, {
            type: ToWebview.Histogram, inReplyTo: m.messageId, layer: m.layer, counts: h.counts,
            min: h.min, max: h.max, deltaP: row?.deltaP ?? null, deltaN: row?.deltaN ?? null,
          });
          break;
        }
        case FromWebview.RunAction:
          await this.runAction(m.action, doc);
          break;
        case FromWebview.Rendered:
          tritscopeLog().appendLine(`[editor] ${doc.uri.fsPath}: rendered ${m.rows} rows in ${m.ms.toFixed(0)} ms${m.sinceModelMs !== undefined ? ` (${m.sinceModelMs.toFixed(0)} ms after the model arrived)` : ''}`);
          doc.weights?.start();
          break;
        case FromWebview.ChartsRendered:
          tritscopeLog().appendLine(`[editor] ${doc.uri.fsPath}: ${m.charts} charts drawn at ${m.ms.toFixed(0)} ms (${m.sinceModelMs.toFixed(0)} ms after the model arrived)`);
          break;
        case FromWebview.RequantizeWith:
          if (!Array.isArray(m.keepFloat) || !m.keepFloat.every((k) => typeof k === 'string')) throw new Error('re-quantize: expected a list of layer names');
          await vscode.commands.executeCommand('tritscope.requantizeWith', doc.uri, m.keepFloat);
          break;
        case FromWebview.GraphRendered:
          tritscopeLog().appendLine(`[editor] ${doc.uri.fsPath}: graph of ${m.nodes} nodes painted in ${m.totalMs.toFixed(0)} ms (layout ${m.layoutMs.toFixed(0)} ms in the ${m.layoutIn === 'worker' ? 'worker' : 'UI thread'})`);
          break;
      }
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      tritscopeLog().appendLine(`[editor] ${doc.uri.fsPath}: ${m.type}: ${text}`);
      this.post(panel, doc, { type: ToWebview.Notice, text, level: 'error' });
    }
  }

  private refreshDiffPartners(): void {
    const uris = [...this.panels.keys()].map((d) => d.uri);
    for (const [doc, set] of this.panels) {
      if (!doc.view || doc.diffPartner) continue;
      if (diffPartnerOf(doc.uri, uris)) for (const p of set) void this.sendModel(doc, p, false);
    }
  }

  /**
   * Colours the graph view of `uri` by per-layer values (sensitivity, debugger
   * divergence, …): shown now in open viewers of that model, and in any opened
   * later this session. Returns how many open viewers received it.
   */
  setOverlay(uri: vscode.Uri, overlay: GraphOverlay): number {
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(overlay.values ?? {})) if (typeof v === 'number' && Number.isFinite(v)) values[k] = v;
    const clean: GraphOverlay = { ...overlay, metric: String(overlay.metric), values };
    const key = uri.toString();
    const byMetric = this.overlays.get(key) ?? new Map<string, GraphOverlay>();
    byMetric.set(clean.metric, clean);
    this.overlays.set(key, byMetric);
    let sent = 0;
    for (const [doc, set] of this.panels) {
      if (doc.uri.toString() !== key) continue;
      for (const p of set) { this.post(p, doc, { type: ToWebview.Overlay, overlay: clean }); sent++; }
    }
    return sent;
  }

  /**
   * The model's sensitivity analysis, read from beside it (hostile: checked by readSensitivity; a bad
   * file becomes a notice, not a failed load): the chart and proposals, and the `sensitivity` overlay.
   */
  private sendSensitivity(doc: TnnDocument, panel: vscode.WebviewPanel): void {
    try {
      doc.sensitivity = doc.view ? findSensitivity(doc.uri.fsPath, doc.view.header.sourceFile) : null;
    } catch (err) {
      doc.sensitivity = null;
      this.post(panel, doc, { type: ToWebview.Notice, text: `sensitivity analysis not shown: ${(err as Error).message}`, level: 'error' });
    }
    const found = doc.sensitivity;
    this.post(panel, doc, { type: ToWebview.Sensitivity, view: found ? sensitivityView(found) : null });
    if (found) this.post(panel, doc, { type: ToWebview.Overlay, overlay: sensitivityOverlay(found) });
  }

  /** A sensitivity file was written: every open viewer looks for its own again. */
  refreshSensitivity(): void {
    for (const [doc, set] of this.panels) if (doc.view) for (const p of set) this.sendSensitivity(doc, p);
  }

  /** Re-send the model to every open panel (settings changed). */
  refreshAll(): void {
    for (const [doc, set] of this.panels) for (const p of set) void this.sendModel(doc, p, false);
  }
}
