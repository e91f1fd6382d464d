/**
 * Extension entry point. Each feature registers itself; a feature that fails to
 * register is logged and reported without taking the others down.
 */
import * as vscode from 'vscode';
import { TOOL_VERSION } from '../core/version';
import { liveInspectWorkers } from './editor/inspectClient';
import { onDidExchangeEditorMessage, registerEditor } from './editor/register';
import type { EditorMessageEvent } from './editor/provider';
import { registerDebugger } from './debug/register';
import { jobMonitor, registerQuantize } from './quantize/register';
import type { JobMonitor } from './quantize/jobMonitor';
import { registerSampleCommands } from './sample';
import { reportError, tritscopeLog } from './safeCommand';

/** What `activate` returns; integration tests read it via `extension.exports`. */
export interface TritscopeApi {
  version: string;
  /** Feature name → whether its registration succeeded. */
  features: Record<string, boolean>;
  /** Running and finished "Quantize to ternary" jobs (tests cancel jobs and check child pids through it). */
  quantizeJobs: JobMonitor;
  /** Every message between a model viewer and its webview, as it happens (the editor suite observes the viewer through it). */
  editorMessages: vscode.Event<EditorMessageEvent>;
  /** Model-viewer workers alive now (closing a view must end its worker and any statistics pass in it). */
  inspectWorkers: () => number;
}

export function activate(context: vscode.ExtensionContext): TritscopeApi {
  const features: Record<string, boolean> = {};
  const registrations: Array<[string, (c: vscode.ExtensionContext) => void]> = [
    ['editor', registerEditor],
    ['debug', registerDebugger],
    ['quantize', registerQuantize],
    ['sample', registerSampleCommands],
  ];
  for (const [name, register] of registrations) {
    try {
      register(context);
      features[name] = true;
    } catch (err) {
      features[name] = false;
      reportError(`activating the ${name} feature`, err);
    }
  }
  tritscopeLog().appendLine(`Tritscope ${TOOL_VERSION} activated in VS Code ${vscode.version}`);
  return { version: TOOL_VERSION, features, quantizeJobs: jobMonitor, editorMessages: onDidExchangeEditorMessage, inspectWorkers: liveInspectWorkers };
}

export function deactivate(): void {
  // Subscriptions are disposed by VS Code; nothing else holds resources.
}
