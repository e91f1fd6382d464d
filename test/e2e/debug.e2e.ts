/**
 * Step-through debugging as a person does it: open the sample `.tnn`, F5 (the
 * samples/ launch.json), F10 three times, and read the layer's output in the
 * Variables view; the activation view follows. Without a trained sample the
 * session starts from "Tritscope: Step Through Inference" on a synthetic CNN
 * of the same architecture. Screenshots: test-results/debug-*.png.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { e2eTest, type Workbench } from './helpers';
import { fashionLikeModel } from '../unit/debug/fashion-like-model';
import { readTnnFile, writeTnnFile } from '../../src/core/format/index';
import { loadPackedEngine } from '../../src/core/engine/index';
import { parseInputSpec } from '../../src/core/data/index';

const SAMPLE_REL = 'models/fashion-cnn.tnn';
const FIXTURE_REL = '.tritscope/e2e/fashion-like.tnn';
const INPUT = 'fashion-mnist:test#0';

async function waitForTopFrame(wb: Workbench, name: string): Promise<void> {
  const row = wb.page.locator('.debug-call-stack .monaco-list-row').filter({ hasText: name }).first();
  await row.waitFor({ state: 'visible', timeout: 60_000 });
}

e2eTest('debugger: F5 on the sample .tnn stops on entry; F10 ×3 shows that layer\'s output in Variables', async (wb) => {
  const hasSample = existsSync(path.join(wb.ctx.workspaceDir, SAMPLE_REL));
  const rel = hasSample ? SAMPLE_REL : FIXTURE_REL;
  const abs = path.join(wb.ctx.workspaceDir, rel);
  if (!hasSample) await writeTnnFile(abs, fashionLikeModel());
  const model = await readTnnFile(abs);
  const layers = model.graph.layers.map((l) => l.name);
  const stepper = (await loadPackedEngine(model)).steps(await parseInputSpec(INPUT, model.graph.inputs[0].shape));
  const expectedShape = stepper.stateAt(3).output.shape;

  await wb.openFile(rel);
  if (hasSample) {
    await wb.page.keyboard.press('F5');
    // The custom editor's webview may still be taking focus as it loads and swallow the key;
    // then start the same launch configuration the way F5 does, from the palette.
    const started = await wb.page.locator('.debug-toolbar').first().waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false);
    if (!started) await wb.runCommand('Debug: Start Debugging');
  } else {
    await wb.runCommand('Tritscope: Step Through Inference');
  }
  await wb.waitForTab(`${path.basename(rel)}.listing`, 90_000);
  await wb.page.locator('.debug-toolbar').first().waitFor({ state: 'visible', timeout: 60_000 });
  // The Call Stack and Variables views live in Run and Debug, which need not be open yet.
  await wb.runCommand('View: Show Run and Debug');
  await waitForTopFrame(wb, layers[0]);
  await wb.screenshot('debug-01-entry');

  for (let i = 1; i <= 3; i++) {
    await wb.page.keyboard.press('F10');
    await waitForTopFrame(wb, layers[i]);
  }
  const shapeText = `[${expectedShape.join('×')}]`;
  const outputRow = wb.page.locator('.debug-variables .monaco-list-row').filter({ hasText: shapeText }).first();
  await outputRow.waitFor({ state: 'visible', timeout: 30_000 });
  const text = (await outputRow.innerText()).replace(/\s+/g, ' ');
  assert.match(text, /f32 min=/, `variables row: ${text}`);
  await wb.screenshot('debug-02-after-three-steps');

  // The activation view beside the listing shows the same layer (its webview may still be loading).
  const frames = wb.page.locator('iframe.webview.ready');
  let found = false;
  for (const t0 = Date.now(); !found && Date.now() - t0 < 45_000; await wb.page.waitForTimeout(500)) {
    for (let k = 0; k < (await frames.count()) && !found; k++) {
      const heading = wb.webview(k).locator('h2');
      found = (await heading.first().innerText({ timeout: 1000 }).catch(() => '')).includes(layers[3]);
    }
  }
  assert.ok(found, `an activation view titled with ${layers[3]}`);
  await wb.screenshot('debug-03-activation-view');

  await wb.page.keyboard.press('Shift+F5');
  await wb.page.locator('.debug-toolbar').first().waitFor({ state: 'hidden', timeout: 30_000 }).catch(() => undefined);
  await wb.closeAllEditors();
});
