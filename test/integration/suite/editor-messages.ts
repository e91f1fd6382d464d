/**
 * Helpers of the editor suites: scratch files in the workspace and the messages
 * the provider posted to its webviews, recorded from the extension API's
 * `editorMessages` event once a suite calls `recordEditorMessages()`.
 */
import * as vscode from 'vscode';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ToWebviewMessage } from '../../../src/shared/messages';
import type { TritscopeApi } from '../../../src/extension/extension';

export interface Recorded {
  posted: Array<{ uri: string; message: ToWebviewMessage }>;
  received: Array<{ uri: string; message: { type: string } }>;
}

export const scratch = (sub = 'editor-it') => path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.tritscope', sub);

export function writeAtomic(file: string, bytes: Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, bytes);
  renameSync(`${file}.tmp`, file);
}

/** Every message since the suite called recordEditorMessages(). */
const log: Recorded = { posted: [], received: [] };

/** Activates the extension and records the editor messages until the returned disposable is disposed. */
export async function recordEditorMessages(): Promise<vscode.Disposable> {
  const api = (await vscode.extensions.getExtension('tritscope.tritscope')!.activate()) as TritscopeApi;
  return api.editorMessages((e) => {
    if (e.direction === 'toWebview') log.posted.push({ uri: e.uri, message: e.message });
    else log.received.push({ uri: e.uri, message: e.message });
  });
}

/** Mocha hooks for an editor suite: record messages for the whole suite, close all editors after each test. */
export function recordEditorMessagesDuringSuite(): void {
  let subscription: vscode.Disposable | undefined;
  suiteSetup(async () => {
    subscription = await recordEditorMessages();
  });
  suiteTeardown(() => subscription?.dispose());
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
}

export async function recorded(): Promise<Recorded> {
  return log;
}

/** Polls the recorded messages until one posted for `uri` matches. */
export async function waitForPosted(uri: vscode.Uri, pred: (m: ToWebviewMessage) => boolean, after = 0, timeoutMs = 45_000): Promise<ToWebviewMessage> {
  const t0 = Date.now();
  for (;;) {
    const r = await recorded();
    const hit = r.posted.slice(after).find((p) => p.uri === uri.toString() && pred(p.message));
    if (hit) return hit.message;
    if (Date.now() - t0 > timeoutMs) throw new Error(`no matching message for ${uri.fsPath}; posted: ${r.posted.map((p) => `${path.basename(p.uri)}:${p.message.type}`).join(', ')}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

/**
 * Leaves the workbench as a suite found it: task terminals waiting for "press any key" would take later
 * suites' keystrokes, and error notifications would sit in the e2e screenshots taken after the suite.
 */
export async function clearWorkbench(): Promise<void> {
  for (const t of vscode.window.terminals) t.dispose();
  await vscode.commands.executeCommand('workbench.action.closePanel');
  await vscode.commands.executeCommand('notifications.clearAll');
}
