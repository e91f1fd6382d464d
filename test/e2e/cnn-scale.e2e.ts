/**
 * The viewer and the debugger at 50–200 layers (issue #12 item 4): torchvision's ResNet-50
 * (52 ternary layers, 25.6 M parameters) and EfficientNet-B0 (240 layers), exported by PyTorch
 * (test/tools/export_torchvision.py) and TWN-quantized. The table pages, the charts draw one bar
 * per ternary layer with readable (shortened) labels, a deep layer's details come up from the
 * keyboard, and the debugger steps ResNet-50 with its output in Variables. Times go to
 * test-results/cnn-scale.json, screenshots to test-results/cnn-*.png.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { peekTnnHeader, writeTnnFile } from '../../src/core/format/index';
import { importModel } from '../../src/core/import/index';
import { quantizeModel } from '../../src/core/quant/index';
import { ensureNetworks, onnxFile, setRepoRoot, type Network } from '../unit/cnn/networks';
import { drawnPixels, e2eTest, type Workbench } from './helpers';

/** samples/.tritscope/e2e/<name>.twn.tnn, made once from the PyTorch export. */
async function quantized(wb: Workbench, name: Network): Promise<string> {
  const rel = `.tritscope/e2e/${name}.twn.tnn`;
  const abs = path.join(wb.ctx.workspaceDir, rel);
  if (!existsSync(abs)) {
    setRepoRoot(wb.ctx.repoRoot);
    ensureNetworks([name]);
    mkdirSync(path.dirname(abs), { recursive: true });
    await writeTnnFile(abs, await quantizeModel(await importModel(onnxFile(name)), { method: 'twn' }));
  }
  return rel;
}

const timings: Record<string, number> = {};

e2eTest('real CNNs at scale: ResNet-50 and EfficientNet-B0 in the viewer (table pages, charts, deep-layer details)', async (wb) => {
  for (const name of ['resnet50', 'efficientnet_b0'] as const) {
    const rel = await quantized(wb, name);
    const header = await peekTnnHeader(path.join(wb.ctx.workspaceDir, rel));
    const layers = header.graph.layers;
    const ternary = layers.filter((l) => l.weightQuant);
    let t0 = Date.now();
    await wb.openFile(rel, (ms) => (t0 = ms));
    const view = await wb.waitForWebview('#layer-table tbody tr', 180_000);
    // From the click on the quick-open row (the user's "open") to the first table row in the webview.
    timings[`${name}: open → table (ms)`] = Date.now() - t0;
    assert.equal((await view.locator('#model-name').innerText()).split(/\s/)[0], name, 'the file name, not torch_jit');
    assert.match(await view.locator('#row-count').innerText(), new RegExp(`\\b${layers.length}\\b`), 'the row count names every layer');
    // The charts follow the table's first paint (webview/main.ts scheduleCharts).
    await view.locator('#charts[data-drawn]').waitFor({ state: 'attached', timeout: 30_000 });
    for (const id of ['#chart-trits-canvas', '#chart-entropy-canvas', '#chart-cost-canvas']) assert.ok((await drawnPixels(view, id)) > 500, `${name}: ${id} drawn`);
    await wb.screenshot(`cnn-${name}-table`);

    // The last ternary layer from the keyboard: End jumps to the last row, across pages.
    await view.locator('#layer-table').focus();
    await wb.page.keyboard.press('End');
    const last = layers[layers.length - 1].name;
    await view.locator('#details-title').filter({ hasText: last }).waitFor({ timeout: 30_000 });
    await view.locator('#layer-filter').evaluate((f: HTMLElement & { value: string }) => {
      f.value = 'ternary';
      f.dispatchEvent(new Event('input', { bubbles: true }));
    });
    assert.match(await view.locator('#row-count').innerText(), new RegExp(`\\b${ternary.length}\\b`), 'the ternary filter keeps the ternary layers');
    const deep = ternary[ternary.length - 1].name;
    const t1 = Date.now();
    await view.locator('#layer-table').focus();
    await wb.page.keyboard.press('End');
    await view.locator('#details-title').filter({ hasText: deep }).waitFor({ timeout: 30_000 });
    await view.locator('#histogram-canvas').waitFor({ state: 'visible', timeout: 60_000 });
    await wb.page.waitForTimeout(500);
    timings[`${name}: last ternary layer → histogram (ms)`] = Date.now() - t1;
    assert.ok((await drawnPixels(view, '#histogram-canvas')) > 200, `${name}: histogram of ${deep}`);
    await wb.screenshot(`cnn-${name}-details`);
    await view.locator('#charts').scrollIntoViewIfNeeded();
    await wb.screenshot(`cnn-${name}-charts`);
    await wb.closeAllEditors();
  }
  mkdirSync(wb.ctx.resultsDir, { recursive: true });
  writeFileSync(path.join(wb.ctx.resultsDir, 'cnn-scale.json'), JSON.stringify(timings, null, 2) + '\n');
});

e2eTest('real CNNs at scale: the debugger steps ResNet-50 (listing, call stack, Variables)', async (wb) => {
  const rel = await quantized(wb, 'resnet50');
  const layers = (await peekTnnHeader(path.join(wb.ctx.workspaceDir, rel))).graph.layers.map((l) => l.name);
  await wb.openFile(rel);
  await wb.waitForWebview('#layer-table tbody tr', 180_000);
  const t0 = Date.now();
  await wb.runCommand('Tritscope: Step Through Inference');
  await wb.waitForTab(`${path.basename(rel)}.listing`, 120_000);
  await wb.runCommand('View: Show Run and Debug');
  const frame = (n: string) => wb.page.locator('.debug-call-stack .monaco-list-row').filter({ hasText: n }).first();
  await frame(layers[0]).waitFor({ state: 'visible', timeout: 120_000 });
  timings['resnet50: step through → entry stop (ms)'] = Date.now() - t0;
  for (let i = 1; i <= 4; i++) {
    const t = Date.now();
    await wb.page.keyboard.press('F10');
    await frame(layers[i]).waitFor({ state: 'visible', timeout: 60_000 });
    timings[`resnet50: F10 #${i} (ms)`] = Date.now() - t;
  }
  // The Output scope names the layer's output value (the Variables view refreshes after the stop).
  const outName = (await peekTnnHeader(path.join(wb.ctx.workspaceDir, rel))).graph.layers[4].outputs[0];
  const row = wb.page.locator('.debug-variables .monaco-list-row').filter({ hasText: outName.slice(0, 20) }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await wb.screenshot('cnn-resnet50-debug');
  await wb.page.keyboard.press('Shift+F5');
  await wb.page.locator('.debug-toolbar').first().waitFor({ state: 'hidden', timeout: 30_000 }).catch(() => undefined);
  await wb.closeAllEditors();
  writeFileSync(path.join(wb.ctx.resultsDir, 'cnn-scale.json'), JSON.stringify(timings, null, 2) + '\n');
});
