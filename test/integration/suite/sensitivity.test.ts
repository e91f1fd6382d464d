/**
 * Layer sensitivity inside a real VS Code: `tritscope.analyseSensitivity` with a request object
 * (no questions) runs the CLI as a child process and writes `<model>.sensitivity.json`; an open
 * viewer of the .tnn quantized from that model then gets the sensitivity view and the
 * `sensitivity` overlay; a hostile file beside a model is a notice, not a failed load.
 * The drawing is checked by test/e2e/sensitivity.e2e.ts.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { serializeTnn } from '../../../src/core/format/index';
import type { SensitivityOutcome } from '../../../src/extension/sensitivity/command';
import { buildEditorModel } from '../../unit/cost/fixtures';
import { clearWorkbench, recordEditorMessagesDuringSuite, recorded, scratch, waitForPosted, writeAtomic } from './editor-messages';

suite('Tritscope layer sensitivity (host side)', () => {
  recordEditorMessagesDuringSuite();
  // The re-quantize task's terminal and the result notifications would otherwise sit in later e2e screenshots.
  suiteTeardown(clearWorkbench);

  test('analyseSensitivity writes the file and the open viewer shows it (view + overlay)', async function () {
    this.timeout(120_000);
    const dir = scratch('sensitivity-it');
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const onnx = path.join(dir, 'cnn.onnx');
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(root, 'models', 'fashion-cnn.onnx'), onnx);
    // The viewer shows the .tnn; the analysis is of its float source beside it.
    const q = (await vscode.commands.executeCommand('tritscope.quantize', { model: onnx, output: path.join(dir, 'cnn.tnn'), method: 'asym-uniform', force: true })) as { ok: boolean };
    assert.ok(q?.ok, 'quantized');
    const uri = vscode.Uri.file(path.join(dir, 'cnn.tnn'));
    let before = (await recorded()).posted.length;
    await vscode.commands.executeCommand('vscode.openWith', uri, 'tritscope.tnnEditor');
    const none = await waitForPosted(uri, (m) => m.type === 'sensitivity', before);
    assert.ok(none.type === 'sensitivity' && none.view === null, 'no analysis yet');

    before = (await recorded()).posted.length;
    const outcome = (await vscode.commands.executeCommand('tritscope.analyseSensitivity', { model: onnx, data: 'fashion-mnist:test', limit: 32, budget: 'float-weights=5%' })) as SensitivityOutcome;
    assert.ok(outcome.ok, outcome.error);
    assert.equal(outcome.file, `${onnx}.sensitivity.json`);
    assert.ok(existsSync(outcome.file!));
    const shown = await waitForPosted(uri, (m) => m.type === 'sensitivity' && m.view !== null, before);
    assert.ok(shown.type === 'sensitivity' && shown.view);
    assert.equal(shown.view.layers.length, 5);
    assert.equal(shown.view.n, 32);
    assert.equal(shown.view.proposals[0].budget, 'float-weights=5%');
    const overlay = await waitForPosted(uri, (m) => m.type === 'overlay' && m.overlay.metric === 'sensitivity', before);
    assert.ok(overlay.type === 'overlay');
    assert.deepEqual(Object.keys(overlay.overlay.values), shown.view.layers.map((l) => l.name));
  });

  test('a hostile sensitivity file beside a model becomes a notice naming it; the model still loads', async () => {
    const file = path.join(scratch('sensitivity-it'), 'hostile.tnn');
    writeAtomic(file, serializeTnn(buildEditorModel({ channels: [4, 8], seed: 3 })));
    writeFileSync(`${file}.sensitivity.json`, '{"format":"tritscope-sensitivity","version":1,"model":[]}');
    const uri = vscode.Uri.file(file);
    const before = (await recorded()).posted.length;
    await vscode.commands.executeCommand('vscode.openWith', uri, 'tritscope.tnnEditor');
    await waitForPosted(uri, (m) => m.type === 'model', before);
    const notice = await waitForPosted(uri, (m) => m.type === 'notice', before);
    assert.ok(notice.type === 'notice');
    assert.match(notice.text, /hostile\.tnn\.sensitivity\.json/);
  });
});
