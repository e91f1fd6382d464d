/**
 * Registers the model viewer (`.tnn`, GGUF, safetensors checkpoints), its commands, the read-only JSON view and
 * `tritscope.setGraphOverlay(uri, overlay)` (not in the palette), the channel
 * other features use to colour a model's graph view (GraphOverlay).
 */
import * as vscode from 'vscode';
import { registerSafeCommand } from '../safeCommand';
import { EditorCommands, JSON_SCHEME } from './commands';
import { offerViewerForTernaryCheckpoints, openInViewer } from './openInViewer';
import { TnnEditorProvider, VIEW_TYPES, type EditorMessageEvent } from './provider';
import type { GraphOverlay } from '../../shared/messages';
import { analyseSensitivityCommand } from '../sensitivity/command';

const exchanged = new vscode.EventEmitter<EditorMessageEvent>();
/** Messages between the model viewers and their webviews (the extension API's `editorMessages`). */
export const onDidExchangeEditorMessage = exchanged.event;

export function registerEditor(context: vscode.ExtensionContext): void {
  // The provider runs webview actions through the commands object, created right after it.
  const holder: { commands?: EditorCommands } = {};
  const provider = new TnnEditorProvider(context, (action, doc) => holder.commands!.run(action, doc));
  context.subscriptions.push(provider.onDidExchangeMessage((e) => exchanged.fire(e)));
  const commands = (holder.commands = new EditorCommands(context, provider));
  context.subscriptions.push(
    // One provider for every view type: documents, panels and commands are shared.
    ...VIEW_TYPES.map((viewType) => vscode.window.registerCustomEditorProvider(viewType, provider, {
      supportsMultipleEditorsPerDocument: true,
      webviewOptions: { retainContextWhenHidden: false },
    })),
    vscode.workspace.registerTextDocumentContentProvider(JSON_SCHEME, commands.jsonProvider),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('tritscope.costProfile') || e.affectsConfiguration('tritscope.costProfilesFile')) provider.refreshAll();
      if (e.affectsConfiguration('tritscope.memoryBandwidthGBs')) provider.refreshBandwidth();
    }),
  );
  const c = commands;
  registerSafeCommand(context, 'tritscope.exportSummary', 'exporting the model summary', (uri) => c.exportSummary(uri));
  registerSafeCommand(context, 'tritscope.openAsJson', 'opening the model as JSON', (uri) => c.openAsJson(uri));
  registerSafeCommand(context, 'tritscope.requantize', 're-quantizing the model', (uri) => c.requantize(uri));
  registerSafeCommand(context, 'tritscope.compare', 'comparing models', (a, b) => c.compare(a, b));
  registerSafeCommand(context, 'tritscope.openInViewer', 'opening the model in Tritscope', (uri) => openInViewer(uri));
  registerSafeCommand(context, 'tritscope.analyseSensitivity', 'analysing layer sensitivity', (arg) =>
    analyseSensitivityCommand(context, arg, () => provider.activeDocument()?.uri.fsPath, () => provider.refreshSensitivity()));
  registerSafeCommand(context, 'tritscope.requantizeWith', 're-quantizing with a keep-float set', (uri, keep) => c.requantizeWith(uri, keep));
  offerViewerForTernaryCheckpoints(context);
  context.subscriptions.push(
    vscode.commands.registerCommand('tritscope.setGraphOverlay', (uri: unknown, overlay: unknown) => {
      const o = overlay as GraphOverlay | undefined;
      if (!(uri instanceof vscode.Uri) || !o || typeof o.metric !== 'string' || typeof o.values !== 'object' || o.values === null)
        throw new Error('tritscope.setGraphOverlay(uri, { metric, values }) needs a model URI and an overlay');
      return provider.setOverlay(uri, o);
    }),
  );
}
