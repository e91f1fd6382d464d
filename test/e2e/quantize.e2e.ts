/**
 * "Quantize to ternary" as a person runs it: F1, then the guided QuickPick flow
 * walked with the keyboard only. A post-training job logs to the task terminal
 * and opens the new `.tnn` in the custom editor; a QAT job shows the progress
 * notification and the live training chart, and its Cancel button stops it.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { drawnPixels, e2eTest, findWebview } from './helpers';
import { choose, enterText, scratchFile, startFlow, startQatFlow, waitForTerminalText, withScreenReader } from './quantizeFlow';

e2eTest('quantize: F1 → Quantize to ternary, post-training via the keyboard → terminal log and the .tnn opens', (wb) => withScreenReader(wb, async () => {
  const out = scratchFile(wb, 'fashion-cnn.ptq.tnn');
  await wb.closeAllEditors();
  await startFlow(wb);
  await choose(wb, '(1/6)', 'models/fashion-cnn.onnx');
  await choose(wb, '(2/6)', 'asym-uniform', 'quantize-01-method');
  await choose(wb, '(3/6)', 'Post-training');
  await choose(wb, '(4/6)', 'Weights only');
  await choose(wb, '(5/6)', 'None');
  await enterText(wb, '(6/6)', out);
  await wb.waitForTab(path.basename(out), 60_000);
  assert.ok(existsSync(out), `${out} written`);
  await wb.waitForWebview('#layer-table tbody tr');
  const text = await waitForTerminalText(wb, /wrote .*fashion-cnn\.ptq\.tnn/);
  assert.match(text, /tritscope quantize .*fashion-cnn\.onnx/, 'the terminal shows the command line');
  assert.match(text, /ternarized/, 'the terminal shows the CLI progress log');
  assert.equal(await wb.activeTabLabel(), path.basename(out));
  await wb.screenshot('quantize-02-ptq-done');
  await wb.closeAllEditors();
}));

e2eTest('quantize: a QAT job shows progress and the live training chart; Cancel stops it', (wb) => withScreenReader(wb, async () => {
  const out = scratchFile(wb, 'fashion-cnn.qat-cancel.tnn');
  await startQatFlow(wb, 'TF.js in VS Code', 'None', out);

  const note = await wb.waitForNotification(/Tritscope: quantize fashion-cnn\.onnx/, 60_000);
  assert.match(note, /QAT 1 ep/);
  const chart = await findWebview(wb, 'canvas[aria-label^="training"]');
  // Wait for training steps (not just axes), enough of them (5 points) for visible curves.
  const status = chart.locator('p[role="status"]');
  const t0 = Date.now();
  for (;;) {
    const m = /step (\d+)\/\d+ · loss \d/.exec(await status.innerText());
    if (m && Number(m[1]) >= 90) break;
    if (Date.now() - t0 > 120_000) throw new Error(`training chart status never passed step 90: ${await status.innerText()}`);
    await wb.page.waitForTimeout(500);
  }
  const pixels = await drawnPixels(chart, 'canvas');
  assert.ok(pixels > 1000, `training chart drew ${pixels} pixels`);
  const progressNote = await wb.waitForNotification(/epoch 1\/1/, 30_000);
  assert.match(progressNote, /loss \d/);
  await wb.page.mouse.move(900, 480); // no tab tooltip over the chart's heading
  await wb.screenshot('quantize-03-qat-training');

  // Cancel from the progress notification, as a person would.
  const toast = wb.page.locator('.notifications-toasts .notification-toast').filter({ hasText: /Tritscope: quantize/ }).first();
  await toast.hover();
  await toast.getByRole('button', { name: 'Cancel' }).click();
  await waitForTerminalText(wb, /cancelled: no output was written/, 30_000);
  await chart.locator('p[role="status"]').filter({ hasText: 'cancelled' }).waitFor({ state: 'visible', timeout: 15_000 });
  assert.ok(!existsSync(out), 'no output after cancel');
  assert.deepEqual(readdirSync(path.dirname(out)).filter((f) => f.startsWith('fashion-cnn.qat-cancel')), [], 'no temp files');
  await wb.screenshot('quantize-04-qat-cancelled');
  await wb.closeAllEditors();
}));
