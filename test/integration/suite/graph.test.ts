/**
 * The graph view's host side inside a real VS Code: the model message carries
 * the DAG's wiring, overlays reach open viewers (and ones opened later) through
 * `tritscope.setGraphOverlay`, and the compare view is a scripted webview under
 * the strict CSP. The drawing itself is checked by test/e2e/graph.e2e.ts.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import path from 'node:path';
import { serializeTnn } from '../../../src/core/format/index';
import type { GraphOverlay, ToWebviewMessage } from '../../../src/shared/messages';
import { buildEditorModel } from '../../unit/cost/fixtures';
import { buildResNet50Topology } from '../../fixtures/resnet50-topology';
import { recordEditorMessagesDuringSuite, recorded, scratch, waitForPosted, writeAtomic } from './editor-messages';

const isOverlay = (metric: string) => (m: ToWebviewMessage) => m.type === 'overlay' && m.overlay.metric === metric;

suite('Tritscope .tnn editor: graph view (host side)', () => {
  recordEditorMessagesDuringSuite();

  test('the model message carries each layer\'s inputs/outputs and the graph ends (ResNet-50 topology)', async () => {
    const file = path.join(scratch('graph-it'), 'r50.tnn');
    writeAtomic(file, serializeTnn(buildResNet50Topology({ widthDivisor: 32, inputSize: 32 })));
    const uri = vscode.Uri.file(file);
    const before = (await recorded()).posted.length;
    await vscode.commands.executeCommand('vscode.openWith', uri, 'tritscope.tnnEditor');
    const m = await waitForPosted(uri, (x) => x.type === 'model', before);
    assert.ok(m.type === 'model');
    assert.deepEqual(m.model.inputs, ['input']);
    assert.deepEqual(m.model.outputs, ['logits']);
    assert.equal(m.model.layers.length, 175);
    const add = m.model.layers.find((l) => l.name === '/layer1/layer1.1/Add')!;
    assert.deepEqual(add.inputs, ['/layer1/layer1.1/bn3/BatchNormalization_output_0', '/layer1/layer1.0/relu_2/Relu_output_0']);
    assert.deepEqual(add.outputs, ['/layer1/layer1.1/Add_output_0']);
  });

  test('tritscope.setGraphOverlay reaches the open viewer, drops non-finite values, and is re-sent when the viewer reopens', async () => {
    const file = path.join(scratch('graph-it'), 'overlay.tnn');
    writeAtomic(file, serializeTnn(buildEditorModel({ channels: [4, 8], seed: 21 })));
    const uri = vscode.Uri.file(file);
    let before = (await recorded()).posted.length;
    await vscode.commands.executeCommand('vscode.openWith', uri, 'tritscope.tnnEditor');
    await waitForPosted(uri, (x) => x.type === 'model', before);
    const overlay = { metric: 'sensitivity', label: 'Δ top-1', values: { conv2: 0.12, conv1: Number.NaN, fc: 0.01 }, source: 'integration test' };
    before = (await recorded()).posted.length;
    const sent = await vscode.commands.executeCommand('tritscope.setGraphOverlay', uri, overlay);
    assert.equal(sent, 1, 'one open viewer received it');
    const m = await waitForPosted(uri, isOverlay('sensitivity'), before);
    assert.ok(m.type === 'overlay');
    assert.deepEqual(m.overlay.values, { conv2: 0.12, fc: 0.01 });
    assert.equal(m.overlay.source, 'integration test');

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    before = (await recorded()).posted.length;
    await vscode.commands.executeCommand('vscode.openWith', uri, 'tritscope.tnnEditor');
    await waitForPosted(uri, (x) => x.type === 'model', before);
    const again = await waitForPosted(uri, isOverlay('sensitivity'), before);
    assert.ok(again.type === 'overlay' && again.overlay.values.conv2 === 0.12, 'kept for viewers opened later');
  });

  test('tritscope.setGraphOverlay rejects calls without a model URI or values', async () => {
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('tritscope.setGraphOverlay', 'not-a-uri', { metric: 'x', values: {} })), /needs a model URI/);
    const uri = vscode.Uri.file(path.join(scratch('graph-it'), 'none.tnn'));
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('tritscope.setGraphOverlay', uri, { metric: 'x' } as unknown as GraphOverlay)), /needs a model URI/);
    assert.equal(await vscode.commands.executeCommand('tritscope.setGraphOverlay', uri, { metric: 'divergence', values: { a: 1 } }), 0, 'no viewer open: kept, sent to none');
  });

  test('the compare view is a scripted webview under the nonce CSP (worker-src blob: only), with the delta table in the page', async () => {
    const a = path.join(scratch('graph-it'), 'cmp-a.tnn');
    const b = path.join(scratch('graph-it'), 'cmp-b.tnn');
    writeAtomic(a, serializeTnn(buildEditorModel({ channels: [4, 8], seed: 1 })));
    writeAtomic(b, serializeTnn(buildEditorModel({ channels: [4, 8, 8], seed: 2 })));
    const panel = (await vscode.commands.executeCommand('tritscope.compare', vscode.Uri.file(a), vscode.Uri.file(b))) as vscode.WebviewPanel;
    try {
      const html = panel.webview.html;
      const csp = /content="([^"]+)"/.exec(html)?.[1] ?? '';
      const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
      assert.ok(nonce, 'script-src is a nonce');
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /worker-src blob:/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(html, new RegExp(`<script nonce="${nonce.replace(/[+/=]/g, (c) => `\\${c}`)}" src="[^"]+compare\\.js"`));
      assert.match(html, /id="compare-table"/);
      assert.match(html, /data-layer="conv3"[^>]*class="presence-b"/, 'the layer only in the second model is listed');
      assert.equal(panel.webview.options.enableScripts, true);
    } finally {
      panel.dispose();
    }
  });
});
