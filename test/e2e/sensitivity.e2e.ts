/**
 * Layer sensitivity as a person runs it: in the viewer of a .tnn, "Analyse Sensitivity…",
 * the three questions answered with the keyboard, the analysis running as a child process
 * with a progress notification; then the viewer shows the sweep chart and the proposal
 * (screenshot test-results/sensitivity-chart.png), the graph is coloured by "sensitivity",
 * and "Re-quantize with this set" runs the quantize task writing that keep-float set.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { drawnPixels, e2eTest, type Workbench } from './helpers';

const QUICK_INPUT = '.quick-input-widget';
const SCRATCH = '.tritscope/e2e-sensitivity';

async function answer(wb: Workbench, title: string, value: string, pick = false): Promise<void> {
  const widget = wb.page.locator(QUICK_INPUT);
  await widget.filter({ hasText: title }).waitFor({ state: 'visible', timeout: 30_000 });
  if (pick) {
    await wb.page.keyboard.type(value);
    await widget.locator('.monaco-list-row.focused').filter({ hasText: value }).first().waitFor({ state: 'visible', timeout: 15_000 });
  } else {
    await wb.page.keyboard.press('Control+A');
    await wb.page.keyboard.type(value);
  }
  await wb.page.keyboard.press('Enter');
}

e2eTest('sensitivity: Analyse Sensitivity from the viewer → chart, proposal, graph overlay, Re-quantize with this set', async (wb) => {
  const dir = path.join(wb.ctx.workspaceDir, SCRATCH);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const onnx = path.join(dir, 'cnn.onnx');
  copyFileSync(path.join(wb.ctx.workspaceDir, 'models', 'fashion-cnn.onnx'), onnx);
  const cli = path.join(wb.ctx.repoRoot, 'dist', 'cli.js');
  execFileSync(process.execPath, [cli, 'quantize', onnx, '-o', path.join(dir, 'cnn.tnn')]);
  await wb.closeAllEditors();
  await wb.openFile(`${SCRATCH}/cnn.tnn`);
  const view = await wb.waitForWebview('#action-analyseSensitivity');
  await view.locator('#sensitivity .hint').waitFor({ timeout: 30_000 });
  await view.locator('#action-analyseSensitivity').click();
  await answer(wb, '(1/3)', 'fashion-mnist:test', true);
  await answer(wb, '(2/3)', '128');
  await answer(wb, '(3/3)', 'float-weights=5%');
  await view.locator('#chart-sensitivity-canvas').waitFor({ timeout: 120_000 });
  // The viewed .tnn is analysed through its latent float weights: its own sensitivity file.
  const result = path.join(dir, 'cnn.tnn.sensitivity.json');
  assert.ok(existsSync(result), 'the result is written beside the analysed model');
  const stored = JSON.parse(readFileSync(result, 'utf8'));
  assert.equal(stored.data.n, 128);
  assert.equal(stored.layers.length, 5);
  assert.ok(await drawnPixels(view, '#chart-sensitivity-canvas') > 1000, 'the chart drew');
  const button = view.locator('#requantize-proposal-0');
  const keep = (await button.getAttribute('data-keep-float')) ?? '';
  assert.deepEqual(keep.split(','), stored.proposals[0].proposal.keepFloat);
  assert.match(await view.locator('#sensitivity-proposals').innerText(), /first \+ last/);
  await view.locator('#sensitivity').scrollIntoViewIfNeeded();
  await wb.screenshot('sensitivity-chart');

  // The graph is coloured by the sweep: every weight layer has a sensitivity value.
  await view.locator('#tab-graph').click();
  await view.locator('#graph-canvas[data-render-ms]').waitFor({ timeout: 60_000 });
  await view.locator('#graph-metric').evaluate((sel: HTMLElement & { value: string }) => {
    sel.value = 'sensitivity';
    sel.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await view.locator('#graph-legend .legend-ramp').waitFor({ timeout: 10_000 });
  assert.equal(await view.locator('#graph-canvas .node.colored').count(), 5);
  await wb.screenshot('sensitivity-graph');

  // Re-quantize with the proposed set: the quantize task writes it.
  await view.locator('#tab-table').click();
  await button.click();
  const out = path.join(dir, `cnn.keep${keep.split(',').length}.${stored.method}.tnn`);
  await wb.waitForTab(path.basename(out), 120_000);
  assert.ok(existsSync(out), `${out} written`);
  await wb.closeAllEditors();
});
