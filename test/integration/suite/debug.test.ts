/**
 * The step-through debugger inside VS Code: the inline adapter runs the packed
 * engine in its worker, stops on entry at the first layer of the listing,
 * steps, honours a breakpoint set in the listing document, and a bad model ends
 * the session without throwing in the extension host.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { fashionLikeModel } from '../../unit/debug/fashion-like-model';
import { writeTnnFile } from '../../../src/core/format/index';
import { buildListing, listingUriFor } from '../../../src/debug/listing';

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test run opens samples/ as the workspace folder');
  return folder.uri.fsPath;
}

/** Collects what the adapter sends, per session. */
class Recorder implements vscode.DebugAdapterTrackerFactory {
  readonly messages: { type: string; event?: string; body?: Record<string, unknown> }[] = [];
  createDebugAdapterTracker(): vscode.DebugAdapterTracker {
    return { onDidSendMessage: (m) => this.messages.push(m) };
  }
  async waitForEvent(event: string, after: number, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const t0 = Date.now();
    for (;;) {
      const hit = this.messages.slice(after).find((m) => m.type === 'event' && m.event === event);
      if (hit) return hit.body ?? {};
      if (Date.now() - t0 > timeoutMs) throw new Error(`no '${event}' event within ${timeoutMs} ms (got: ${this.messages.map((m) => m.event ?? m.type).join(', ')})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

suite('Tritscope debugger', () => {
  const recorder = new Recorder();
  let disposables: vscode.Disposable[] = [];
  let model: string;

  suiteSetup(async () => {
    await vscode.extensions.getExtension('tritscope.tritscope')!.activate();
    disposables.push(vscode.debug.registerDebugAdapterTrackerFactory('tritscope', recorder));
    // 28×28 input, so the default input (setting tritscope.defaultInput, fashion-mnist:test#0) fits.
    model = path.join(workspaceDir(), '.tritscope', 'test', 'debug-fashion-like.tnn');
    mkdirSync(path.dirname(model), { recursive: true }); // a fresh clone has no samples/.tritscope/ yet
    await writeTnnFile(model, fashionLikeModel());
  });
  suiteTeardown(async () => {
    await vscode.debug.stopDebugging();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    disposables.forEach((d) => d.dispose());
    disposables = [];
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // the bad-model test's error notification would otherwise sit in every later e2e screenshot
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  test('step through: entry at the first layer, next, a listing breakpoint, the result', async () => {
    const m = fashionLikeModel();
    const listing = buildListing(m.graph, (n) => m.tensors.get(n)?.shape, model);
    const start = recorder.messages.length;
    const layerEvents: unknown[] = [];
    disposables.push(vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => { if (e.event === 'tritscope/layer') layerEvents.push(e.body); }));
    const started = await vscode.commands.executeCommand('tritscope.stepThrough', vscode.Uri.file(model));
    assert.equal(started, true);
    const entry = await recorder.waitForEvent('stopped', start);
    assert.equal(entry.reason, 'entry');
    const session = vscode.debug.activeDebugSession!;
    assert.equal(session.type, 'tritscope');
    let frames = (await session.customRequest('stackTrace', { threadId: 1 })).stackFrames;
    assert.equal(frames[0].name, 'conv1');
    assert.equal(frames[0].line, listing.layers[0].line);

    // The listing document comes from the extension's content provider, in the breakpoint language.
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(listingUriFor(model)));
    assert.equal(doc.getText(), listing.text);
    for (let i = 0; i < 50 && doc.languageId !== 'tritscope-listing'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(doc.languageId, 'tritscope-listing');

    let mark = recorder.messages.length;
    await session.customRequest('next', { threadId: 1 });
    await recorder.waitForEvent('stopped', mark);
    frames = (await session.customRequest('stackTrace', { threadId: 1 })).stackFrames;
    assert.equal(frames[0].name, 'bn1');

    // A breakpoint set through VS Code's API on the fc line of the listing document.
    const fcLine = listing.layers.find((l) => l.name === 'dense1')!.line;
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(doc.uri, new vscode.Position(fcLine - 1, 0)))]);
    await new Promise((r) => setTimeout(r, 500));
    mark = recorder.messages.length;
    await session.customRequest('continue', { threadId: 1 });
    const bp = await recorder.waitForEvent('stopped', mark);
    assert.equal(bp.reason, 'breakpoint');
    frames = (await session.customRequest('stackTrace', { threadId: 1 })).stackFrames;
    assert.equal(frames[0].line, fcLine);
    assert.ok(layerEvents.length >= 3, `activation view events: ${layerEvents.length}`);

    mark = recorder.messages.length;
    await session.customRequest('continue', { threadId: 1 });
    const end = await recorder.waitForEvent('stopped', mark);
    assert.equal(end.description, 'end of inference');
    const result = await session.customRequest('tritscope/result');
    assert.ok(m.graph.labels!.includes(result.predictedLabel), `predicted label ${result.predictedLabel}`);
    assert.equal(result.text.startsWith(`prediction: ${result.predictedLabel} (class ${result.predicted}`), true);
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await vscode.debug.stopDebugging(session);
  });

  test('a missing model ends the session with a message, and the extension host keeps running', async () => {
    const missing = path.join(workspaceDir(), '.tritscope', 'test', 'does-not-exist.tnn');
    assert.equal(existsSync(missing), false);
    const start = recorder.messages.length;
    const terminated = new Promise<void>((resolve) => disposables.push(vscode.debug.onDidTerminateDebugSession(() => resolve())));
    await vscode.debug.startDebugging(undefined, { type: 'tritscope', request: 'launch', name: 'missing', model: missing, input: 'random' });
    await terminated;
    const out = recorder.messages.slice(start).find((m) => m.event === 'output' && m.body?.category === 'stderr');
    assert.ok(out, 'a stderr output event');
    assert.match(String(out.body!.output), /does-not-exist\.tnn/);
  });
});
