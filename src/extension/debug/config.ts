/**
 * Debug configurations of type `tritscope`: F5 on an open `.tnn` (custom editor
 * or text editor) fills in the model, settings fill in the defaults, and a
 * dynamic provider offers one configuration per `.tnn` in the workspace.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { peekTnnHeader } from '../../core/format/index';

export const DEBUG_TYPE = 'tritscope';
const DEFAULT_INPUT = 'fashion-mnist:test#0';
const FALLBACK_INPUT = 'random:0';

/**
 * The input when the launch names none: the `tritscope.defaultInput` setting. Left at its
 * built-in default (a 28×28 Fashion-MNIST sample), it cannot feed a CIFAR or ImageNet
 * network, so such a model gets seeded random pixels instead (the Debug Console says which
 * input ran). Only the file's header is read.
 */
async function defaultInputFor(model: string): Promise<string> {
  const setting = vscode.workspace.getConfiguration('tritscope').inspect<string>('defaultInput');
  const chosen = setting?.workspaceFolderValue ?? setting?.workspaceValue ?? setting?.globalValue;
  if (chosen !== undefined) return chosen;
  try {
    const shape = (await peekTnnHeader(model)).graph.inputs[0]?.shape ?? [];
    return shape.reduce((a, b) => a * b, 1) === 28 * 28 ? DEFAULT_INPUT : FALLBACK_INPUT;
  } catch {
    return DEFAULT_INPUT; // an unreadable model: the adapter reports the file's own error
  }
}

/** The `.tnn` the user is looking at: the active custom editor tab, else the active text editor. */
export function activeTnnUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom && input.uri.fsPath.endsWith('.tnn')) return input.uri;
  if (input instanceof vscode.TabInputText && input.uri.fsPath.endsWith('.tnn')) return input.uri;
  const doc = vscode.window.activeTextEditor?.document.uri;
  if (doc?.fsPath.endsWith('.tnn')) return doc;
  // The listing of a model counts as that model (F5 from the listing).
  if (input instanceof vscode.TabInputText && input.uri.scheme === 'tritscope-listing') return vscode.Uri.file(input.uri.path.replace(/\.listing$/, ''));
  return undefined;
}

export function launchConfigFor(model: vscode.Uri): vscode.DebugConfiguration {
  return {
    type: DEBUG_TYPE,
    request: 'launch',
    name: `Step through ${path.basename(model.fsPath)}`,
    model: model.fsPath,
    // The input is filled in by resolveDebugConfiguration (defaultInputFor), which sees the model's input shape.
    stopOnEntry: true,
    compareFloat: true,
  };
}

export class TritscopeConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    const active = activeTnnUri();
    if (!config.type && !config.request && !config.name) {
      // F5 without a launch.json.
      if (!active) {
        void vscode.window.showInformationMessage('Tritscope: open a .tnn model to step through its inference.');
        return undefined;
      }
      config = launchConfigFor(active);
    }
    // `${file}` is empty for custom editors: substitute the active model ourselves.
    if ((!config.model || config.model === '${file}') && active) config.model = active.fsPath;
    if (!config.model) {
      void vscode.window.showErrorMessage('Tritscope: the launch configuration needs "model" (the path of a .tnn file).');
      return undefined;
    }
    const settings = vscode.workspace.getConfiguration('tritscope');
    config.divergenceThreshold ??= settings.get<number>('divergenceThreshold', 0.2);
    config.stopOnEntry ??= true;
    config.compareFloat ??= true;
    return config;
  }

  /** The default input needs the model's real path (`${workspaceFolder}/…` substituted) to read its input shape. */
  async resolveDebugConfigurationWithSubstitutedVariables(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration> {
    config.input ??= await defaultInputFor(String(config.model));
    return config;
  }
}

export class TritscopeDynamicConfigurations implements vscode.DebugConfigurationProvider {
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const pattern = folder ? new vscode.RelativePattern(folder, '**/*.tnn') : '**/*.tnn';
    const files = await vscode.workspace.findFiles(pattern, '**/node_modules/**', 20);
    return files.map(launchConfigFor);
  }
}
