/**
 * "Quantize to ternary" on the PyTorch backend as a person runs it: the guided
 * flow with "train with: PyTorch", then the same progress notification and live
 * training chart as the TF.js backend, fed by `python -m tritscope_torch.train`'s
 * events (screenshot test-results/pytorch-chart.png); Cancel stops the trainer
 * and leaves no output.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { drawnPixels, e2eTest, findWebview } from './helpers';
import { scratchFile, startQatFlow, waitForTerminalText, withScreenReader } from './quantizeFlow';

e2eTest('quantize: the PyTorch backend feeds the live training chart; Cancel stops the trainer', (wb) => withScreenReader(wb, async () => {
  const out = scratchFile(wb, 'fashion-cnn.torch-chart.tnn');
  await startQatFlow(wb, 'PyTorch', 'Two-stage KD', out);

  const note = await wb.waitForNotification(/Tritscope: quantize fashion-cnn\.onnx .*PyTorch/, 60_000);
  assert.match(note, /QAT 1 ep/);
  await waitForTerminalText(wb, /\$ \S*python\S* -m tritscope_torch\.train --model \S*fashion-cnn\.onnx/, 60_000);
  const chart = await findWebview(wb, 'canvas[aria-label^="training"]');
  const status = chart.locator('p[role="status"]');
  const t0 = Date.now();
  for (;;) {
    // The trainer reports every steps/50 steps: wait for a dozen points of stage 1 for visible curves.
    const m = /step (\d+)\/(\d+) · loss \d/.exec(await status.innerText());
    if (m && Number(m[1]) >= Number(m[2]) / 4) break;
    if (Date.now() - t0 > 150_000) throw new Error(`training chart status never passed a quarter epoch: ${await status.innerText()}`);
    await wb.page.waitForTimeout(500);
  }
  const pixels = await drawnPixels(chart, 'canvas');
  assert.ok(pixels > 1000, `training chart drew ${pixels} pixels`);
  await wb.page.mouse.move(900, 500); // off the tab (its tooltip would cover the chart's heading)
  await wb.screenshot('pytorch-chart');

  const toast = wb.page.locator('.notifications-toasts .notification-toast').filter({ hasText: /Tritscope: quantize/ }).first();
  await toast.hover();
  await toast.getByRole('button', { name: 'Cancel' }).click();
  await waitForTerminalText(wb, /cancelled: no output was written/, 60_000);
  await waitForTerminalText(wb, /training cancelled \(SIGTERM\)/, 5_000);
  await chart.locator('p[role="status"]').filter({ hasText: 'cancelled' }).waitFor({ state: 'visible', timeout: 15_000 });
  assert.ok(!existsSync(out), 'no output after cancel');
  assert.deepEqual(readdirSync(path.dirname(out)).filter((f) => f.startsWith('fashion-cnn.torch-chart') && !f.endsWith('.ckpt')), [], 'no temp files');
  await wb.screenshot('pytorch-chart-cancelled');
  await wb.closeAllEditors();
}));
