/** The editor's commands: export, open as JSON, re-quantize, step through, compare. */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../core/format/index';
import { dialogExtensions, MODEL_FORMATS } from '../../core/model-formats/index';
import type { EditorAction } from '../../shared/messages';
import { compareHtmlBody } from './compareView';
import { webviewHtml } from '../webviewHtml';
import type { FromCompareView, ToCompareView } from '../../shared/compareMessages';
import { tableToCsv, tableToMarkdown } from './exportTable';
import { InspectClient } from './inspectClient';
import { configuredProfiles } from './profiles';
import { configuredBandwidth, type TnnDocument, type TnnEditorProvider } from './provider';
import { findSensitivity, requantizeWith } from '../sensitivity/found';

export const JSON_SCHEME = 'tritscope-inspect';

export class EditorCommands {
  private readonly jsonContent = new Map<string, string>();
  private readonly jsonChanged = new vscode.EventEmitter<vscode.Uri>();

  constructor(private readonly context: vscode.ExtensionContext, private readonly provider: TnnEditorProvider) {}

  /** Read-only documents for "Open as JSON". */
  readonly jsonProvider: vscode.TextDocumentContentProvider = {
    onDidChange: this.jsonChanged.event,
    provideTextDocumentContent: (uri) => this.jsonContent.get(uri.toString()) ?? '',
  };

  /** The document a command applies to: its URI argument or the active Tritscope editor. */
  private async documentOf(arg: unknown): Promise<TnnDocument> {
    const uri = arg instanceof vscode.Uri ? arg : undefined;
    const open = uri ? this.provider.documentFor(uri) : this.provider.activeDocument();
    if (open) {
      await open.load();
      return open;
    }
    if (!uri) throw new Error('no .tnn model is open; open one in the Tritscope Model Viewer first');
    const doc = this.provider.openCustomDocument(uri);
    await doc.load();
    return doc; // a short-lived document: its worker is disposed by the caller through dispose() below
  }

  private async withDocument<T>(arg: unknown, fn: (doc: TnnDocument) => Promise<T>): Promise<T> {
    const doc = await this.documentOf(arg);
    const temporary = !(arg instanceof vscode.Uri ? this.provider.documentFor(arg) : this.provider.activeDocument());
    try {
      return await fn(doc);
    } finally {
      if (temporary) doc.dispose();
    }
  }

  async exportSummary(arg?: unknown): Promise<void> {
    await this.withDocument(arg, async (doc) => {
      const view = doc.view;
      if (!view) throw new Error(`${path.basename(doc.uri.fsPath)} holds weights only: use Open as JSON for its per-tensor summary`);
      const base = doc.uri.fsPath.replace(/\.tnn$/i, '');
      const target = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(`${base}-summary.md`),
        filters: { Markdown: ['md'], CSV: ['csv'] },
        title: 'Export model summary',
      });
      if (!target) return;
      const { profiles, selectedId } = await configuredProfiles();
      const profileName = profiles.find((p) => p.id === (doc.profileId ?? selectedId))?.name ?? null;
      const text = /\.csv$/i.test(target.fsPath) ? tableToCsv(view) : tableToMarkdown(view, profileName);
      await writeFileAtomic(target.fsPath, new TextEncoder().encode(text));
      void vscode.window.showInformationMessage(`Tritscope: summary written to ${path.basename(target.fsPath)}`);
    });
  }

  async openAsJson(arg?: unknown): Promise<vscode.TextDocument> {
    return this.withDocument(arg, async (doc) => {
      const { profiles, selectedId } = await configuredProfiles();
      // Weights-only models: the statistics pass must finish first (the view's own pass is shared).
      const summary = await doc.client.summary(profiles.find((p) => p.id === (doc.profileId ?? selectedId)) ?? null, doc.weights ? configuredBandwidth() : undefined);
      const uri = vscode.Uri.from({ scheme: JSON_SCHEME, path: `${doc.uri.path}.json` });
      this.jsonContent.set(uri.toString(), JSON.stringify(summary, null, 2));
      this.jsonChanged.fire(uri);
      const text = await vscode.workspace.openTextDocument(uri);
      const jsonDoc = await vscode.languages.setTextDocumentLanguage(text, 'json');
      await vscode.window.showTextDocument(jsonDoc, { preview: false });
      return jsonDoc;
    });
  }

  /** The float model a .tnn was quantized from, when it is beside it (or at its recorded absolute path). */
  private floatSourceOf(doc: TnnDocument): string | null {
    const source = doc.view?.header.sourceFile;
    const beside = source ? path.join(path.dirname(doc.uri.fsPath), path.basename(source)) : null;
    return beside && existsSync(beside) ? beside : source && path.isAbsolute(source) && existsSync(source) ? source : null;
  }

  /** "Re-quantize with this set": the quantize task on the analysed float model with --keep-float. */
  async requantizeWith(uri: unknown, keepFloat: unknown): Promise<unknown> {
    return this.withDocument(uri, async (doc) => {
      if (!Array.isArray(keepFloat) || !keepFloat.every((k) => typeof k === 'string')) throw new Error('re-quantize: expected a list of layer names');
      const found = doc.sensitivity ?? (doc.view ? findSensitivity(doc.uri.fsPath, doc.view.header.sourceFile) : null);
      if (!found) throw new Error(`${path.basename(doc.uri.fsPath)}: no sensitivity analysis beside it`);
      const job = requantizeWith(found, keepFloat, this.floatSourceOf(doc));
      let force = false;
      if (existsSync(job.output)) {
        const ok = await vscode.window.showWarningMessage(`${path.basename(job.output)} exists. Overwrite it?`, { modal: true }, 'Overwrite');
        if (ok !== 'Overwrite') return undefined;
        force = true;
      }
      return vscode.commands.executeCommand('tritscope.quantize', { ...job, force });
    });
  }

  async requantize(arg?: unknown): Promise<void> {
    await this.withDocument(arg, async (doc) => {
      const source = doc.view?.header.sourceFile;
      const found = this.floatSourceOf(doc);
      let target = found ? vscode.Uri.file(found) : null;
      if (!target) {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          defaultUri: vscode.Uri.file(path.dirname(doc.uri.fsPath)),
          filters: { 'Float models': dialogExtensions('quantize') },
          title: source ? `Source model ${path.basename(source)} not found beside the .tnn: pick it` : 'Pick the float model to re-quantize',
        });
        target = picked?.[0] ?? null;
      }
      if (target) await vscode.commands.executeCommand('tritscope.quantize', target);
    });
  }

  async compare(a?: unknown, b?: unknown): Promise<vscode.WebviewPanel | undefined> {
    let uris = [a, b].filter((u): u is vscode.Uri => u instanceof vscode.Uri);
    if (Array.isArray(b) && b.length === 2 && b.every((u) => u instanceof vscode.Uri)) uris = b as vscode.Uri[]; // explorer multi-select
    if (uris.length < 2) {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: true, filters: { 'Ternary models': dialogExtensions(MODEL_FORMATS.filter((f) => f.produces === 'tnn')) }, title: 'Pick two .tnn models to compare' });
      if (!picked) return undefined;
      uris = [...uris, ...picked].slice(0, 2);
      if (uris.length < 2) throw new Error('compare needs two .tnn models');
    }
    const clients = uris.map(() => new InspectClient(this.context.extensionUri.fsPath));
    try {
      const [va, vb] = await Promise.all(uris.map((u, i) => clients[i].load(u.fsPath, null)));
      const title = `${va.header.fileName} ↔ ${vb.header.fileName}`;
      const panel = vscode.window.createWebviewPanel('tritscope.compare', title, vscode.ViewColumn.Active, {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist')],
      });
      // The delta table stays static HTML; the script (webview/entries/compare.ts) adds both graphs.
      panel.webview.html = webviewHtml(panel.webview, this.context.extensionUri, 'compare', 'Compare models', { workers: true, body: compareHtmlBody(va, vb) });
      const ready = panel.webview.onDidReceiveMessage((m: FromCompareView) => {
        if (m?.type !== 'ready') return;
        const msg: ToCompareView = { type: 'models', a: va, b: vb };
        void Promise.resolve(panel.webview.postMessage(msg)).catch(() => undefined);
      });
      panel.onDidDispose(() => ready.dispose());
      return panel;
    } finally {
      clients.forEach((c) => c.dispose());
    }
  }

  async run(action: EditorAction, doc: TnnDocument): Promise<void> {
    switch (action) {
      case 'stepThrough':
        await vscode.commands.executeCommand('tritscope.stepThrough', doc.uri);
        break;
      case 'requantize':
        await this.requantize(doc.uri);
        break;
      case 'exportSummary':
        await this.exportSummary(doc.uri);
        break;
      case 'openAsJson':
        await this.openAsJson(doc.uri);
        break;
      case 'reopenDefault':
        await vscode.commands.executeCommand('vscode.openWith', doc.uri, 'default');
        break;
      case 'compare':
        await this.compare(doc.uri, doc.diffPartner ?? undefined);
        break;
      case 'analyseSensitivity':
        await vscode.commands.executeCommand('tritscope.analyseSensitivity', doc.uri);
        break;
    }
  }
}
