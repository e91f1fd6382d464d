/**
 * The `.tnn` custom editor inside a real VS Code: open models with the
 * Tritscope viewer and check the messages the provider posts to its webview
 * (observed through the extension API's `editorMessages` event).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import path from 'node:path';
import { serializeTnn } from '../../../src/core/format/index';
import { summarizeTnn } from '../../../src/core/inspect/summary';
import type { ModelView, ToWebviewMessage } from '../../../src/shared/messages';
import { buildEditorModel } from '../../unit/cost/fixtures';
import { recordEditorMessagesDuringSuite, recorded, scratch, waitForPosted, writeAtomic } from './editor-messages';

suite('Tritscope .tnn editor', () => {
  recordEditorMessagesDuringSuite();

  test('opening a .tnn sends the model (after the webview ready handshake) with the inspect Δ and α', async () => {
    const model = buildEditorModel({ channels: [8, 16, 16], latent: true, seed: 11 });
    const bytes = serializeTnn(model);
    const file = path.join(scratch(), 'viewer.tnn');
    writeAtomic(file, bytes);
    const uri = vscode.Uri.file(file);
    await vscode.commands.executeCommand('vscode.openWith', uri, 'tritscope.tnnEditor');
    const m = await waitForPosted(uri, (x) => x.type === 'model');
    assert.equal(m.type, 'model');
    const view = (m as { model: ModelView }).model;
    const summary = summarizeTnn(model, bytes.length);
    assert.deepEqual(view.layers.map((l) => l.name), summary.layers.map((l) => l.name));
    for (const [i, s] of summary.layers.entries()) {
      assert.equal(view.layers[i].deltaP, s.thresholds?.pos ?? null, `Δp of ${s.name}`);
      assert.equal(view.layers[i].alphaN, s.scale?.neg ?? null, `αn of ${s.name}`);
    }
    assert.equal(view.header.fileBytes, bytes.length);
    assert.ok(view.totals && view.totals.macs.total > 0, 'cost totals present');
    assert.equal((m as { profileId: string }).profileId, 'binary-cmos-2bit');
    // The webview's `ready` handshake reaches the host (the model may also have come from the file watcher first).
    for (let i = 0; ; i++) {
      const r = await recorded();
      if (r.received.some((x) => x.uri === uri.toString() && x.message.type === 'ready')) break;
      if (i > 120) assert.fail('the webview never sent ready');
      await new Promise((res) => setTimeout(res, 250));
    }
  });

  test('a corrupted .tnn shows a load error naming the file instead of throwing', async () => {
    const good = serializeTnn(buildEditorModel({ channels: [4, 4] }));
    const file = path.join(scratch(), 'corrupt.tnn');
    writeAtomic(file, good.subarray(0, 64));
    const uri = vscode.Uri.file(file);
    await vscode.commands.executeCommand('vscode.openWith', uri, 'tritscope.tnnEditor');
    const m = await waitForPosted(uri, (x) => x.type === 'loadError');
    const err = (m as { error: { message: string; kind: string } }).error;
    assert.equal(err.kind, 'TnnFormatError');
    assert.match(err.message, /corrupt\.tnn/);
  });

  test('the editor re-sends the model when the file changes on disk', async () => {
    const file = path.join(scratch(), 'changing.tnn');
    writeAtomic(file, serializeTnn(buildEditorModel({ channels: [4, 8] })));
    const uri = vscode.Uri.file(file);
    await vscode.commands.executeCommand('vscode.openWith', uri, 'tritscope.tnnEditor');
    await waitForPosted(uri, (x) => x.type === 'model');
    const before = (await recorded()).posted.length;
    writeAtomic(file, serializeTnn(buildEditorModel({ channels: [4, 8, 8, 8] })));
    const m = await waitForPosted(uri, (x) => x.type === 'model', before);
    assert.equal((m as { model: ModelView }).model.layers.filter((l) => l.op === 'conv2d').length, 4);
  });

  test('Open as JSON shows the inspect object (with cost) in a read-only json document', async () => {
    const file = path.join(scratch(), 'json.tnn');
    writeAtomic(file, serializeTnn(buildEditorModel({ channels: [4, 8] })));
    const uri = vscode.Uri.file(file);
    const doc = (await vscode.commands.executeCommand('tritscope.openAsJson', uri)) as vscode.TextDocument;
    assert.equal(doc.languageId, 'json');
    const obj = JSON.parse(doc.getText());
    assert.equal(obj.format, 'tnn');
    assert.ok(Array.isArray(obj.layers) && obj.layers[0].cost, 'layers carry cost');
    assert.notEqual(doc.uri.scheme, 'file');
  });

  test('tritscope.compare opens a comparison of two models', async () => {
    const a = path.join(scratch(), 'cmp-a.tnn');
    const b = path.join(scratch(), 'cmp-b.tnn');
    writeAtomic(a, serializeTnn(buildEditorModel({ channels: [4, 8], seed: 1 })));
    writeAtomic(b, serializeTnn(buildEditorModel({ channels: [4, 8], seed: 2 })));
    const panel = (await vscode.commands.executeCommand('tritscope.compare', vscode.Uri.file(a), vscode.Uri.file(b))) as vscode.WebviewPanel;
    assert.ok(panel, 'a panel was returned');
    assert.match(panel.title, /cmp-a\.tnn ↔ cmp-b\.tnn/);
    assert.match(panel.webview.html, /data-layer="conv2"/);
    panel.dispose();
  });

  test('vscode.diff of two .tnn opens the viewer on both sides and offers per-layer deltas', async () => {
    const a = path.join(scratch(), 'diff-a.tnn');
    const b = path.join(scratch(), 'diff-b.tnn');
    writeAtomic(a, serializeTnn(buildEditorModel({ channels: [4, 8], seed: 3 })));
    writeAtomic(b, serializeTnn(buildEditorModel({ channels: [4, 8], seed: 4 })));
    const ua = vscode.Uri.file(a), ub = vscode.Uri.file(b);
    const before = (await recorded()).posted.length;
    await vscode.commands.executeCommand('vscode.diff', ua, ub, 'diff-a ↔ diff-b');
    // Each side learns the other (the first side to open is told again once the second exists).
    const withPartner = (name: string) => (x: ToWebviewMessage) => x.type === 'model' && x.diffWith === name;
    const ma = await waitForPosted(ua, withPartner('diff-b.tnn'), before);
    const mb = await waitForPosted(ub, withPartner('diff-a.tnn'), before);
    assert.equal(ma.type === 'model' && ma.model.header.fileName, 'diff-a.tnn');
    assert.equal(mb.type === 'model' && mb.model.header.fileName, 'diff-b.tnn');
  });
});
