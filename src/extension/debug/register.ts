/**
 * The step-through debugger in VS Code: the `tritscope` debug type (inline
 * adapter, or the standalone dist/debugAdapter.js when the setting
 * `tritscope.debugAdapter` is "standalone"), configuration providers, the
 * listing documents, the `tritscope.stepThrough` command and the activation view.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { TritscopeDebugSession, LAYER_EVENT, ERROR_EVENT } from '../../debug/session';
import type { ActivationView } from '../../shared/activationView';
import { registerSafeCommand, tritscopeLog } from '../safeCommand';
import { DEBUG_TYPE, TritscopeConfigurationProvider, TritscopeDynamicConfigurations, activeTnnUri, launchConfigFor } from './config';
import { registerListing } from './listingProvider';
import { ActivationPanel } from './activationPanel';

class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly extensionUri: vscode.Uri) {}
  createDebugAdapterDescriptor(): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const mode = vscode.workspace.getConfiguration('tritscope').get<string>('debugAdapter', 'inline');
    if (mode === 'standalone') {
      const program = path.join(this.extensionUri.fsPath, 'dist', 'debugAdapter.js');
      // The extension host's executable is Electron in desktop VS Code: run it as plain Node.
      return new vscode.DebugAdapterExecutable(process.execPath, [program], { env: { ELECTRON_RUN_AS_NODE: '1' } });
    }
    // Runs on the extension host's loop; inference itself runs in dist/workers/inference.js.
    return new vscode.DebugAdapterInlineImplementation(new TritscopeDebugSession());
  }
}

export function registerDebugger(context: vscode.ExtensionContext): void {
  registerListing(context);
  const panel = new ActivationPanel(context.extensionUri);
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new TritscopeConfigurationProvider()),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new TritscopeDynamicConfigurations(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory(context.extensionUri)),
    vscode.debug.onDidStartDebugSession((s) => {
      if (s.type !== DEBUG_TYPE) return;
      panel.show();
      panel.idle(`Running ${path.basename(String(s.configuration.model ?? ''))}…`);
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.session.type !== DEBUG_TYPE) return;
      if (e.event === LAYER_EVENT) panel.update(e.body as ActivationView);
      else if (e.event === ERROR_EVENT) {
        const message = String((e.body as { message?: string })?.message ?? 'unknown error');
        tritscopeLog().appendLine(`[error] debug session: ${message}`);
        void vscode.window.showErrorMessage(`Tritscope debugger: ${message}`);
      }
    }),
    vscode.debug.onDidTerminateDebugSession((s) => {
      if (s.type === DEBUG_TYPE) panel.idle('Debug session ended.');
    }),
    { dispose: () => panel.dispose() },
  );
  registerSafeCommand(context, 'tritscope.stepThrough', 'Step Through Inference', async (arg?: unknown) => {
    const uri = arg instanceof vscode.Uri ? arg : activeTnnUri();
    if (!uri) {
      void vscode.window.showInformationMessage('Tritscope: open a .tnn model (or right-click one) to step through its inference.');
      return false;
    }
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return vscode.debug.startDebugging(folder, launchConfigFor(uri));
  });
}
