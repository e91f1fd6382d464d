/**
 * Foundation end-to-end checks, driven through the UI like a person would:
 * the extension activates, its commands are in the palette, a .tnn opens in the
 * custom editor. Screenshots of each step land in test-results/.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { e2eTest, findWebview } from './helpers';
import { writeTinyTnn } from '../fixtures/tiny-tnn';

const SAMPLE_REL = 'models/fashion-qat.tnn';
const FIXTURE_REL = '.tritscope/e2e/tiny-e2e.tnn';

e2eTest('workbench loads with the samples folder', async (wb) => {
  await wb.ready();
  // Earlier specs may have left another view (Run and Debug) in the side bar.
  await wb.runCommand('View: Show Explorer');
  const explorer = wb.page.locator('.explorer-folders-view').first();
  await explorer.waitFor({ state: 'visible', timeout: 60_000 });
  await wb.page.locator('.sidebar .pane-header').filter({ hasText: /samples/i }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await wb.screenshot('01-workbench');
});

e2eTest('Tritscope is listed among the running (activated) extensions', async (wb) => {
  await wb.runCommand('Developer: Show Running Extensions');
  const rows = wb.page.locator('.runtime-extensions-editor .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
  const ours = rows.filter({ hasText: 'Tritscope — Ternary Neural Networks' });
  if (!(await ours.count())) {
    // The list is virtualized: bring the last rows into view.
    await rows.first().click();
    await wb.page.keyboard.press('End');
  }
  await ours.first().waitFor({ state: 'visible', timeout: 30_000 });
  const text = (await ours.first().innerText()).replace(/\s+/g, ' ');
  await wb.screenshot('02-running-extensions');
  assert.match(text, /Activation: \d+/, `row text: ${text}`);
  await wb.closeAllEditors();
});

e2eTest('F1 "Quantize to ternary" lists the Tritscope command', async (wb) => {
  const rows = await wb.searchCommands('Quantize to ternary');
  await wb.screenshot('03-palette-quantize');
  await wb.closeQuickInput();
  assert.ok(rows.some((r) => r.includes('Tritscope: Quantize to ternary')), `palette rows: ${rows.join(' | ')}`);
});

e2eTest('Open Sample Model runs inside the activated extension', async (wb) => {
  const hasSample = existsSync(path.join(wb.ctx.workspaceDir, SAMPLE_REL));
  await wb.runCommand('Tritscope: Open Sample Model');
  if (hasSample) {
    await wb.waitForTab('fashion-qat.tnn');
    await wb.waitForWebview();
    // The post-training twin is offered beside it through Compare.
    await wb.waitForNotification(/fashion-cnn\.tnn is the same CNN ternarized after training/);
    await wb.screenshot('04-open-sample');
    const toast = wb.page.locator('.notifications-toasts .notification-toast').filter({ hasText: /fashion-cnn\.tnn is the same CNN/ }).first();
    await toast.getByRole('button', { name: 'Compare with post-training' }).click();
    await wb.waitForTab('fashion-qat.tnn ↔ fashion-cnn.tnn');
    // The delta table lists the three ternary layers of both (conv2, conv3, dense1), QAT first.
    const cmp = await findWebview(wb, '#compare-table tbody tr[data-layer="conv2"]');
    assert.match(await cmp.locator('.compare-title').innerText(), /fashion-qat\.tnn ↔ fashion-cnn\.tnn/);
    await wb.screenshot('04-open-sample-compare');
  } else {
    // No trained sample in this checkout: the command must say so (proves our handler ran).
    await wb.waitForNotification(/sample model not found/);
    await wb.screenshot('04-open-sample');
  }
  await wb.closeAllEditors();
});

e2eTest('a .tnn opens in the Tritscope custom editor and shows its layers', async (wb) => {
  // Always the tiny fixture: its layer names are known (the sample is covered above).
  writeTinyTnn(path.join(wb.ctx.workspaceDir, FIXTURE_REL));
  await wb.openFile(FIXTURE_REL);
  const label = await wb.activeTabLabel();
  assert.equal(label, path.basename(FIXTURE_REL));
  // A custom editor is a webview, not a text editor.
  const view = await wb.waitForWebview();
  const textEditors = await wb.page.locator('.editor-group-container.active .editor-instance .monaco-editor').count();
  assert.equal(textEditors, 0, 'the .tnn opened in a text editor instead of the custom editor');
  // The viewer parsed the file: a layer name from it is on screen.
  await view.getByText('softmax', { exact: true }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await wb.screenshot('05-tnn-custom-editor');
  await wb.closeAllEditors();
});
