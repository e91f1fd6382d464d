/**
 * The model viewer on weights-only models inside a real VS Code: a GGUF opens
 * in it by default and its statistics stream to exact trit counts; a
 * safetensors checkpoint keeps its default editor until "Open in Tritscope";
 * a weights-only `.tnn` shows the same counts; the bandwidth setting reaches the
 * view; closing the view ends its worker. Observed through the extension API
 * (`editorMessages`, `inspectWorkers`).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { TritscopeApi } from '../../../src/extension/extension';
import type { ToWebviewMessage } from '../../../src/shared/messages';
import type { WeightsStatsDone, WeightsView } from '../../../src/shared/weightsView';
import { convertToWeightsTnn } from '../../../src/core/weights/convert';
import { readGgufListing } from '../../../src/core/gguf/listing';
import { writeBitnetCheckpoint, writeViewerGguf } from '../../fixtures/weights-models';

const scratch = () => path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.tritscope', 'weights-it');
const posted: Array<{ uri: string; message: ToWebviewMessage }> = [];
let api: TritscopeApi;

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 45_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}; posted: ${posted.map((p) => `${path.basename(p.uri)}:${p.message.type}`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function message<K extends ToWebviewMessage['type']>(uri: vscode.Uri, type: K, after = 0): Extract<ToWebviewMessage, { type: K }> | undefined {
  return posted.slice(after).find((p) => p.uri === uri.toString() && p.message.type === type)?.message as Extract<ToWebviewMessage, { type: K }> | undefined;
}

/** The header view and the finished statistics the viewer of `uri` received. */
async function viewerResult(uri: vscode.Uri, after = 0): Promise<{ view: WeightsView; done: WeightsStatsDone }> {
  const view = (await waitFor(`the weights view of ${uri.fsPath}`, () => message(uri, 'weights', after))).view;
  const done = (await waitFor(`the statistics of ${uri.fsPath}`, () => message(uri, 'weightsDone', after))).done;
  return { view, done };
}

function countsByName(view: WeightsView, done: WeightsStatsDone): Record<string, unknown> {
  return Object.fromEntries(done.rows.filter((r) => r.ternary).map((r) => [view.rows[r.index].name, r.trits]));
}

const activeTabInput = () => vscode.window.tabGroups.activeTabGroup.activeTab?.input;

suite('Tritscope weights-only models (GGUF, safetensors)', () => {
  let subscription: vscode.Disposable | undefined;
  suiteSetup(async () => {
    api = (await vscode.extensions.getExtension('tritscope.tritscope')!.activate()) as TritscopeApi;
    subscription = api.editorMessages((e) => {
      if (e.direction === 'toWebview') posted.push({ uri: e.uri, message: e.message });
    });
    mkdirSync(scratch(), { recursive: true });
  });
  suiteTeardown(() => subscription?.dispose());
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('a GGUF opens in the viewer by default; the streamed statistics give the exact trit counts; TL1 is listed as not decoded', async () => {
    const file = path.join(scratch(), 'viewer.gguf');
    const model = writeViewerGguf(file);
    const uri = vscode.Uri.file(file);
    const before = posted.length;
    await vscode.commands.executeCommand('vscode.open', uri);
    const { view, done } = await viewerResult(uri, before);
    const input = activeTabInput();
    assert.ok(input instanceof vscode.TabInputCustom && input.viewType === 'tritscope.weightsEditor', 'the GGUF viewer is the default editor');
    assert.equal(view.header.architecture, 'bitnet');
    assert.equal(view.header.contextLength, 2048);
    assert.equal(view.header.byType.find((t) => t.dtype === 'TQ1_0')?.bitsPerWeight, 1.6875);
    assert.equal(view.header.byType.find((t) => t.dtype === 'TQ2_0')?.bitsPerWeight, 2.0625);
    assert.deepEqual(countsByName(view, done), model.counts);
    const tl1 = view.rows.find((r) => r.dtype === 'TL1');
    assert.match(tl1?.undecoded ?? '', /TL1/);
    assert.ok(!done.rows.some((r) => r.index === tl1!.index), 'no statistics for the undecoded tensor');
    assert.ok(posted.slice(before).some((p) => p.uri === uri.toString() && p.message.type === 'weightsProgress'), 'progress streamed before the end');
  });

  test('a packed BitNet safetensors keeps its default editor; Open in Tritscope shows it with exact counts', async () => {
    const dir = path.join(scratch(), 'bitnet');
    mkdirSync(dir, { recursive: true });
    const m = writeBitnetCheckpoint(dir);
    const uri = vscode.Uri.file(m.file);
    await vscode.commands.executeCommand('vscode.open', uri);
    await waitFor('the default editor', () => (activeTabInput() ? true : undefined));
    assert.ok(!(activeTabInput() instanceof vscode.TabInputCustom), 'safetensors files are not taken over by the viewer');
    assert.equal(message(uri, 'weights'), undefined);
    const before = posted.length;
    await vscode.commands.executeCommand('tritscope.openInViewer', uri);
    const { view, done } = await viewerResult(uri, before);
    const input = activeTabInput();
    assert.ok(input instanceof vscode.TabInputCustom && input.viewType === 'tritscope.checkpointEditor');
    assert.equal(view.header.format, 'safetensors');
    assert.equal(view.header.contextLength, 4096, 'config.json beside the checkpoint');
    assert.deepEqual(countsByName(view, done), m.counts);
  });

  test('a weights-only .tnn converted from the GGUF shows the same counts in the .tnn editor', async () => {
    const gguf = path.join(scratch(), 'source.gguf');
    const model = writeViewerGguf(gguf);
    const tnn = path.join(scratch(), 'converted.tnn');
    await convertToWeightsTnn(await readGgufListing(gguf), tnn);
    const uri = vscode.Uri.file(tnn);
    const before = posted.length;
    await vscode.commands.executeCommand('vscode.open', uri);
    const { view, done } = await viewerResult(uri, before);
    assert.equal(view.header.format, 'tnn');
    assert.deepEqual(countsByName(view, done), model.counts);
  });

  test('the bandwidth setting reaches an open view; closing the view ends its worker', async () => {
    const file = path.join(scratch(), 'bandwidth.gguf');
    writeViewerGguf(file);
    const uri = vscode.Uri.file(file);
    // Every editor was closed after the previous test: wait until their workers have ended.
    await waitFor('earlier viewers\' workers to end', () => (api.inspectWorkers() === 0 ? true : undefined), 15_000);
    const before = posted.length;
    await vscode.commands.executeCommand('vscode.openWith', uri, 'tritscope.weightsEditor');
    await viewerResult(uri, before);
    assert.equal(api.inspectWorkers(), 1, 'one worker for the open view');
    const config = vscode.workspace.getConfiguration('tritscope');
    try {
      await config.update('memoryBandwidthGBs', 123, vscode.ConfigurationTarget.Global);
      const m = await waitFor('the bandwidth message', () => message(uri, 'weightsBandwidth', before));
      assert.equal(m.bandwidthGBs, 123);
    } finally {
      await config.update('memoryBandwidthGBs', undefined, vscode.ConfigurationTarget.Global);
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('the worker to end', () => (api.inspectWorkers() === 0 ? true : undefined), 15_000);
  });
});
