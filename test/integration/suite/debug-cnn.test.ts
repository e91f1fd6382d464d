/**
 * The debugger on a real CNN inside VS Code (issue #12): the seed paper's CIFAR ResNet-20 as
 * PyTorch exports it (test/tools/export_torchvision.py), TWN-quantized. Step Through Inference
 * with no input configured picks random:0 (the default Fashion-MNIST sample does not fit
 * 3×32×32), stops on entry, stops at a breakpoint on the last stage's residual Add, shows that
 * layer's output in the Output scope, and ends with the prediction the reference executor makes.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { parseInputSpec } from '../../../src/core/data/index';
import { runReference } from '../../../src/core/exec/reference';
import { writeTnnFile } from '../../../src/core/format/index';
import { importModel } from '../../../src/core/import/index';
import { firstSampleRow, topK } from '../../../src/core/output-math';
import { quantizeModel } from '../../../src/core/quant/index';
import type { TnnModel } from '../../../src/core/graph/types';
import { buildListing, listingUriFor } from '../../../src/debug/listing';
import { ensureNetworks, onnxFile, setRepoRoot } from '../../unit/cnn/networks';
import { repoRoot } from './repo';

type Message = { type: string; event?: string; body?: Record<string, unknown> };

class Recorder implements vscode.DebugAdapterTrackerFactory {
  readonly messages: Message[] = [];
  createDebugAdapterTracker(): vscode.DebugAdapterTracker {
    return { onDidSendMessage: (m: Message) => this.messages.push(m) };
  }
  async stopped(after: number, timeoutMs = 120_000): Promise<Record<string, unknown>> {
    const t0 = Date.now();
    for (;;) {
      const hit = this.messages.slice(after).find((m) => m.type === 'event' && m.event === 'stopped');
      if (hit) return hit.body ?? {};
      if (Date.now() - t0 > timeoutMs) throw new Error(`no 'stopped' event within ${timeoutMs} ms (got: ${this.messages.slice(after).map((m) => m.event ?? m.type).join(', ')})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

suite('Tritscope debugger on a real CNN (ResNet-20 from PyTorch)', () => {
  const recorder = new Recorder();
  const disposables: vscode.Disposable[] = [];
  let file: string;
  let model: TnnModel;

  suiteSetup(async function () {
    this.timeout(240_000);
    await vscode.extensions.getExtension('tritscope.tritscope')!.activate();
    disposables.push(vscode.debug.registerDebugAdapterTrackerFactory('tritscope', recorder));
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    setRepoRoot(repoRoot()); // the run opens a scratch copy of samples/ (test/run-codeserver.mjs)
    ensureNetworks(['resnet20']);
    model = await quantizeModel(await importModel(onnxFile('resnet20')), { method: 'twn' });
    file = path.join(workspace, '.tritscope', 'test', 'resnet20.twn.tnn');
    mkdirSync(path.dirname(file), { recursive: true });
    await writeTnnFile(file, model);
  });
  suiteTeardown(async () => {
    await vscode.debug.stopDebugging();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    disposables.forEach((d) => d.dispose());
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('entry, a breakpoint on the last residual Add with its output in Variables, and the reference prediction', async function () {
    this.timeout(240_000);
    const layers = model.graph.layers;
    const listing = buildListing(model.graph, (n) => model.tensors.get(n)?.shape, file);
    let mark = recorder.messages.length;
    assert.equal(await vscode.commands.executeCommand('tritscope.stepThrough', vscode.Uri.file(file)), true);
    assert.equal((await recorder.stopped(mark)).reason, 'entry');
    const session = vscode.debug.activeDebugSession!;
    let frames = (await session.customRequest('stackTrace', { threadId: 1 })).stackFrames;
    assert.equal(frames[0].name, layers[0].name);
    assert.equal(frames[1].name, 'resnet20', 'the model frame shows the ONNX file name, not torch_jit');

    const adds = layers.filter((l) => l.op === 'add');
    assert.equal(adds.length, 9, 'ResNet-20 has 9 residual joins');
    const target = adds[adds.length - 1];
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(listingUriFor(file)));
    const line = listing.layers.find((l) => l.name === target.name)!.line;
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(doc.uri, new vscode.Position(line - 1, 0)))]);
    await new Promise((r) => setTimeout(r, 500));
    mark = recorder.messages.length;
    await session.customRequest('continue', { threadId: 1 });
    assert.equal((await recorder.stopped(mark)).reason, 'breakpoint');
    frames = (await session.customRequest('stackTrace', { threadId: 1 })).stackFrames;
    assert.equal(frames[0].name, target.name);

    const { scopes } = await session.customRequest('scopes', { frameId: frames[0].id });
    const output = scopes.find((s: { name: string }) => /output/i.test(s.name));
    assert.ok(output, `an Output scope among ${scopes.map((s: { name: string }) => s.name).join(', ')}`);
    const { variables } = await session.customRequest('variables', { variablesReference: output.variablesReference });
    const text = variables.map((v: { name: string; value: string }) => `${v.name}=${v.value}`).join(' ');
    assert.match(text, /1×64×8×8|1, ?64, ?8, ?8|\[1,64,8,8\]/, `the last stage's output shape in: ${text}`);

    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    mark = recorder.messages.length;
    await session.customRequest('continue', { threadId: 1 });
    assert.equal((await recorder.stopped(mark)).description, 'end of inference');
    const result = await session.customRequest('tritscope/result');
    const ref = runReference(model, await parseInputSpec('random:0', model.graph.inputs[0].shape));
    assert.equal(result.predicted, topK(firstSampleRow(ref), 1)[0], 'the prediction of the reference executor on random:0');
    await vscode.debug.stopDebugging(session);
  });
});
