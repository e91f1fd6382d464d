/**
 * "Open in Tritscope" (command, explorer and editor-title menus) and the offer
 * made when a safetensors file opens in VS Code's default editor and looks
 * ternary. The viewer is only an `option` for `.safetensors` (package.json), so
 * it never takes over other checkpoints; this is how people reach it.
 */
import * as vscode from 'vscode';
import { detectFileFormat } from '../../core/model-formats/index';
import { tritscopeLog } from '../safeCommand';
import { InspectClient } from './inspectClient';
import { CHECKPOINT_VIEW_TYPE, VIEW_TYPE, WEIGHTS_VIEW_TYPE } from './provider';

/** The viewer for a file, by its content (the first KiB; nothing else is read on the host). */
export async function viewTypeFor(uri: vscode.Uri): Promise<string> {
  const format = await detectFileFormat(uri.fsPath);
  switch (format.id) {
    case 'tnn': return VIEW_TYPE;
    case 'gguf': return WEIGHTS_VIEW_TYPE;
    case 'safetensors': return CHECKPOINT_VIEW_TYPE;
    default: throw new Error(`${uri.fsPath}: ${format.label} models are not opened in the viewer; quantize them to ternary first (Tritscope: Quantize to ternary)`);
  }
}

function activeResource(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
}

export async function openInViewer(arg?: unknown): Promise<void> {
  const uri = arg instanceof vscode.Uri ? arg : activeResource();
  const target = uri ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Models': ['tnn', 'gguf', 'safetensors'] }, title: 'Open a model in Tritscope' }))?.[0];
  if (!target) return;
  await vscode.commands.executeCommand('vscode.openWith', target, await viewTypeFor(target));
  await closeTextTabsOf(target);
}

/** The viewer replaces the default (binary) editor of the same file rather than sitting beside it. */
async function closeTextTabsOf(uri: vscode.Uri): Promise<void> {
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString() && !t.isDirty);
  if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
}

/** Ternary tensors a checkpoint's header (and its bounded probes) shows, read in a short-lived inspect worker. */
async function ternaryTensors(extensionPath: string, file: string): Promise<{ tensors: number; parameters: number }> {
  const client = new InspectClient(extensionPath);
  try {
    const opened = await client.open(file, null);
    if (opened.kind !== 'weights') return { tensors: 0, parameters: 0 };
    return { tensors: opened.view.rows.filter((r) => r.ternary).length, parameters: opened.view.header.ternaryParameters };
  } finally {
    client.dispose();
  }
}

/**
 * Offers the viewer, once per file and session, when a `.safetensors` file is shown in a text/binary editor
 * and its header lists ternary tensors (packed BitNet weights, or float matrices that probe as {−s, 0, +s}).
 */
export function offerViewerForTernaryCheckpoints(context: vscode.ExtensionContext): void {
  const offered = new Set<string>();
  const consider = async (uri: vscode.Uri) => {
    if (uri.scheme !== 'file' || !uri.path.toLowerCase().endsWith('.safetensors') || offered.has(uri.toString())) return;
    offered.add(uri.toString());
    try {
      const found = await ternaryTensors(context.extensionUri.fsPath, uri.fsPath);
      if (!found.tensors) return;
      const name = uri.path.split('/').pop();
      const pick = await vscode.window.showInformationMessage(
        `${name} looks like a ternary checkpoint (${found.tensors} ternary tensors, ${(found.parameters / 1e6).toFixed(1)} M trits). Open it in the Tritscope model viewer?`,
        'Open in Tritscope',
      );
      if (pick) await openInViewer(uri);
    } catch (err) {
      // Not a checkpoint Tritscope can list: nothing to offer (the viewer would show the reason if opened).
      tritscopeLog().appendLine(`[editor] ${uri.fsPath}: not offered: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const textTabs = (tabs: readonly vscode.Tab[]) => tabs.flatMap((t) => (t.input instanceof vscode.TabInputText ? [t.input.uri] : []));
  // A preview tab that shows another file is reported as changed, not opened.
  context.subscriptions.push(vscode.window.tabGroups.onDidChangeTabs((e) => textTabs([...e.opened, ...e.changed]).forEach((u) => void consider(u))));
  // The file whose opening activated the extension is already in a tab.
  for (const g of vscode.window.tabGroups.all) textTabs(g.tabs).forEach((u) => void consider(u));
}
