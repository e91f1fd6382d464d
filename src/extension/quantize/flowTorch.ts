/**
 * The guided flow's PyTorch steps: the backend choice for a QAT job, a PyTorch
 * model given as MODULE:FACTORY (with optional float weights), and the check that
 * a Python with torch is there — or what to install, with TF.js offered instead.
 */
import * as vscode from 'vscode';
import type { QuantizeJob } from './jobArgs';
import { choosePython, offerTfjs, torchSettings } from './torchBackend';

export type Backend = NonNullable<QuantizeJob['backend']>;

/** The source pick list's entry for a PyTorch model definition. */
export const FACTORY_ITEM = '$(symbol-method) PyTorch model: MODULE:FACTORY or file.py:FACTORY…';

export async function pickBackend(last: Backend | undefined): Promise<Backend | undefined> {
  const s = torchSettings();
  const where = s.launcher ? `via ${s.launcher.split(/\s+/)[0]}` : 'on this machine';
  const items: (vscode.QuickPickItem & { value: Backend })[] = [
    { value: 'tfjs', label: 'TF.js in VS Code', detail: 'the extension trains on wasm; nothing to install; fine for small models' },
    {
      value: 'pytorch', label: 'PyTorch',
      detail: `python -m tritscope_torch.train ${where}, ${s.nprocPerNode > 1 ? `DDP on ${s.nprocPerNode} processes` : 'one process'} (settings: tritscope.python, tritscope.torch.*)`,
    },
  ];
  items.sort((a, b) => Number(b.value === last) - Number(a.value === last));
  return (await vscode.window.showQuickPick(items, { title: 'Quantize to ternary: train with' }))?.value;
}

/** MODULE:FACTORY (or file.py:FACTORY) and an optional float state_dict from the workspace. */
export async function pickFactorySource(lastSpec?: string): Promise<{ model: string; weights?: string } | undefined> {
  const model = await vscode.window.showInputBox({
    title: 'PyTorch model', value: lastSpec ?? 'tritscope_torch.models:fashion_cnn',
    prompt: 'a factory returning an nn.Module: package.module:factory, or path/to/file.py:factory (relative to the workspace)',
    validateInput: (v) => (/^(?:[A-Za-z_][\w.]*|.+\.py):[A-Za-z_]\w*$/.test(v.trim()) ? undefined : 'MODULE:FACTORY or file.py:FACTORY'),
  });
  if (!model) return undefined;
  const found = await vscode.workspace.findFiles('**/*.{pt,pth}', '**/node_modules/**', 100);
  const items: (vscode.QuickPickItem & { path?: string })[] = [
    { label: 'None', detail: "start from the factory's own initialisation" },
    ...found.map((u) => ({ label: vscode.workspace.asRelativePath(u), detail: 'float state_dict', path: u.fsPath })),
  ];
  const w = await vscode.window.showQuickPick(items, { title: 'PyTorch model: float weights (the KD teacher and the start point)' });
  if (!w) return undefined;
  return { model: model.trim(), weights: w.path };
}

/**
 * Checks that the PyTorch backend can run `job` here (probing for a Python with torch under a progress
 * notification). Missing pieces are named with their install commands and TF.js is offered: resolves the
 * backend to use, or undefined when the user gave up.
 */
export async function confirmBackend(extensionUri: vscode.Uri, model: string): Promise<Backend | undefined> {
  const choice = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Tritscope: looking for a Python that imports torch…' },
    () => choosePython(extensionUri, model),
  );
  if (!('missing' in choice)) return 'pytorch';
  return (await offerTfjs(choice.missing, model, true)) ? 'tfjs' : undefined;
}
