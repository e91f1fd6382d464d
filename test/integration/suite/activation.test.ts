/**
 * Foundation integration suite: runs inside VS Code's extension host (see
 * test/README.md). The extension is installed from its .vsix, exactly as users get it.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { writeTinyTnn } from '../../fixtures/tiny-tnn';

const EXTENSION_ID = 'tritscope.tritscope';

interface TritscopeApi {
  version: string;
  features: Record<string, boolean>;
}

function extension(): vscode.Extension<TritscopeApi> {
  const ext = vscode.extensions.getExtension<TritscopeApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
  return ext;
}

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test run opens samples/ as the workspace folder');
  return folder.uri.fsPath;
}

/** The trained sample when present, else a tiny model written by the core writer. */
function tnnUnderTest(): vscode.Uri {
  const sample = path.join(workspaceDir(), 'models', 'fashion-cnn.tnn');
  if (existsSync(sample)) return vscode.Uri.file(sample);
  return vscode.Uri.file(writeTinyTnn(path.join(workspaceDir(), '.tritscope', 'test', 'tiny.tnn')));
}

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Where "Open Sample Model" should find the sample, or undefined when there is none. */
function expectedSample(): string | undefined {
  // The QAT W+A sample (the post-training one is offered through Compare).
  const candidates = [
    path.join(workspaceDir(), 'models', 'fashion-qat.tnn'),
    path.join(workspaceDir(), 'samples', 'models', 'fashion-qat.tnn'),
    path.join(extension().extensionPath, 'media', 'samples', 'fashion-qat.tnn'),
  ];
  return candidates.find((c) => existsSync(c));
}

suite('Tritscope foundation', () => {
  test('extension is installed and activates with every feature registered', async () => {
    const ext = extension();
    const api = await ext.activate();
    assert.equal(ext.isActive, true);
    assert.equal(api.version, ext.packageJSON.version);
    assert.deepEqual(Object.entries(api.features).filter(([, ok]) => !ok).map(([name]) => name), []);
    assert.deepEqual(Object.keys(api.features).sort(), ['debug', 'editor', 'quantize', 'sample']);
  });

  test('every contributed command is registered', async () => {
    await extension().activate();
    const contributed: string[] = extension().packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(contributed.length >= 6, `expected at least 6 contributed commands, got ${contributed.length}`);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), []);
  });

  test('the debugger, task type and custom editor are contributed', () => {
    const contributes = extension().packageJSON.contributes;
    assert.equal(contributes.debuggers[0].type, 'tritscope');
    assert.deepEqual(contributes.debuggers[0].languages, ['tritscope-listing']);
    assert.ok(contributes.breakpoints.some((b: { language: string }) => b.language === 'tritscope-listing'));
    assert.equal(contributes.taskDefinitions[0].type, 'tritscope');
    assert.equal(contributes.customEditors[0].viewType, 'tritscope.tnnEditor');
  });

  test('a .tnn opens in the Tritscope custom editor', async () => {
    const uri = tnnUnderTest();
    await vscode.commands.executeCommand('vscode.openWith', uri, 'tritscope.tnnEditor');
    const input = await waitFor(() => {
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
      return tab?.input instanceof vscode.TabInputCustom ? tab.input : undefined;
    }, 'a custom editor tab');
    assert.equal(input.viewType, 'tritscope.tnnEditor');
    assert.equal(input.uri.fsPath, uri.fsPath);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('a .tnn opened without naming an editor gets the custom editor (priority default)', async () => {
    const uri = tnnUnderTest();
    await vscode.commands.executeCommand('vscode.open', uri);
    const input = await waitFor(() => {
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
      return tab && tab.input && (tab.input as { uri?: vscode.Uri }).uri?.fsPath === uri.fsPath ? tab.input : undefined;
    }, 'the .tnn tab');
    assert.ok(input instanceof vscode.TabInputCustom, `expected a custom editor, got ${input?.constructor?.name}`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Open Sample Model opens the sample in the custom editor, or fails without throwing', async () => {
    await extension().activate();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const expected = expectedSample();
    // The handler catches and shows errors: the command itself never rejects.
    const opened = (await vscode.commands.executeCommand('tritscope.openSample')) as vscode.Uri | undefined;
    if (expected) {
      assert.equal(opened?.fsPath, expected);
      const input = await waitFor(() => {
        const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
        return tab?.input instanceof vscode.TabInputCustom ? tab.input : undefined;
      }, 'the sample in a custom editor');
      assert.equal(input.uri.fsPath, expected);
      assert.equal(input.viewType, 'tritscope.tnnEditor');
    } else {
      assert.equal(opened, undefined);
      assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab, undefined);
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
