/**
 * The model viewer on weights-only models as a person sees it: a GGUF with
 * TQ1_0 + TQ2_0 + F16 tensors (and an undecoded TL1 tensor) opens from Quick
 * Open; the table's trit counts equal `tritscope inspect --json`; groups fold;
 * the bandwidth input changes the tokens/s bound; charts and the scale
 * histogram draw; light and dark themes. A packed BitNet safetensors file opens
 * in the default editor, the viewer is offered, and accepting shows it.
 * Screenshots: test-results/gguf-viewer*.png, safetensors-viewer.png.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeBitnetCheckpoint, writeViewerGguf } from '../fixtures/weights-models';
import { drawnPixels, e2eTest, type Workbench } from './helpers';

interface InspectJson {
  layers: Array<{ name: string; trits: { neg: number; zero: number; pos: number } | null; dtype: string }>;
}

const inspect = (wb: Workbench, file: string): InspectJson =>
  JSON.parse(execFileSync(process.execPath, [path.join(wb.ctx.repoRoot, 'dist/cli.js'), 'inspect', file, '--json'], { encoding: 'utf8' })) as InspectJson;

const themeName = (cls: string) => (/vscode-light/.test(cls) ? 'light' : /high-contrast/.test(cls) ? 'hc' : 'dark');

e2eTest('weights viewer: a TQ1_0 + TQ2_0 + F16 GGUF, exact trits, groups, bandwidth, charts, themes', async (wb) => {
  const rel = '.tritscope/e2e/bitnet-tiny.gguf';
  const abs = path.join(wb.ctx.workspaceDir, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  const model = writeViewerGguf(abs);
  const json = inspect(wb, abs);
  // Earlier specs may leave a terminal open below the editor: give the viewer the whole height for the screenshots.
  await wb.runCommand('View: Hide Panel').catch(() => undefined);
  await wb.openFile(rel);
  const view = await wb.waitForWebview('#weights-progress[data-done]');
  assert.match(await view.locator('#model-name').innerText(), /viewer-test BitNet/);
  assert.match(await view.locator('#weights-by-type').innerText(), /TQ1_0[\s\S]*1\.6875/);
  assert.match(await view.locator('#weights-by-type').innerText(), /TQ2_0[\s\S]*2\.0625/);
  const theme1 = themeName((await view.locator('body').getAttribute('class')) ?? '');
  await wb.screenshot('gguf-viewer');
  await wb.screenshot(`gguf-viewer-${theme1}`);

  // Every ternary tensor's row carries the exact counts of `inspect --json` and of the generator.
  const rows = view.locator('#tensor-table tbody tr.tensor');
  assert.equal(await rows.count(), model.tensors.length, 'one row per tensor');
  for (const l of json.layers.filter((x) => x.trits && x.dtype.startsWith('TQ'))) {
    const cell = view.locator(`#tensor-table tr.tensor[data-tensor="${l.name}"] td.trits`);
    const got = { neg: Number(await cell.getAttribute('data-neg')), zero: Number(await cell.getAttribute('data-zero')), pos: Number(await cell.getAttribute('data-pos')) };
    assert.deepEqual(got, l.trits, `trits of ${l.name} in the view`);
    assert.deepEqual(got, model.counts[l.name], `trits of ${l.name} as generated`);
  }
  assert.match(await view.locator('#tensor-table tr.tensor[data-tensor="blk.3.attn_v.weight"]').innerText(), /not decoded/);

  // A group folds and unfolds.
  const group = view.locator('#tensor-table tr.group[data-group="blk.1"]');
  await group.click();
  assert.equal(await group.getAttribute('aria-expanded'), 'false');
  assert.equal(await view.locator('#tensor-table tr.tensor[data-tensor="blk.1.attn_q.weight"]').isVisible(), false);
  await group.click();
  assert.equal(await view.locator('#tensor-table tr.tensor[data-tensor="blk.1.attn_q.weight"]').isVisible(), true);

  // The bandwidth input re-prices the tokens/s bound.
  const tps = async () => Number(/≤ ([\d.]+) tokens\/s/.exec(await view.locator('#cost-tps').innerText())?.[1]);
  const at50 = await tps();
  const input = view.locator('#bandwidth-input input');
  await input.fill('100');
  await view.locator('#cost-tps').filter({ hasText: 'at 100 GB/s' }).waitFor({ timeout: 10_000 });
  assert.ok(Math.abs((await tps()) / at50 - 2) < 0.02, 'twice the bandwidth, twice the bound');

  // A selected tensor shows its counts and the histogram of its block scales; the depth charts draw.
  await view.locator('#tensor-table tr.tensor[data-tensor="blk.2.ffn_up.weight"]').click();
  await view.locator('#details-title').filter({ hasText: 'blk.2.ffn_up.weight' }).waitFor({ timeout: 10_000 });
  const c = model.counts['blk.2.ffn_up.weight'];
  assert.match(await view.locator('#details-facts').innerText(), new RegExp(`${c.neg} / ${c.zero} / ${c.pos}`));
  await view.locator('#histogram-canvas').waitFor({ state: 'visible', timeout: 10_000 });
  await wb.page.waitForTimeout(500);
  for (const id of ['#histogram-canvas', '#depth-trits-canvas', '#depth-scale-canvas']) assert.ok((await drawnPixels(view, id)) > 500, `${id} drew`);

  await view.locator('#details').scrollIntoViewIfNeeded();
  await wb.screenshot(`gguf-viewer-${theme1}-table`);
  await view.locator('#weights-charts').scrollIntoViewIfNeeded();
  await wb.screenshot(`gguf-viewer-${theme1}-charts`);
  await wb.runCommand('Preferences: Toggle between Light/Dark Themes');
  await wb.page.waitForTimeout(1500);
  const theme2 = themeName((await view.locator('body').getAttribute('class')) ?? '');
  assert.notEqual(theme2, theme1, 'the theme changed');
  assert.ok((await drawnPixels(view, '#depth-trits-canvas')) > 500, 'charts redrawn in the new theme');
  await view.locator('#model-name').scrollIntoViewIfNeeded();
  await wb.screenshot(`gguf-viewer-${theme2}`);
  await view.locator('#details').scrollIntoViewIfNeeded();
  await wb.screenshot(`gguf-viewer-${theme2}-table`);
  await wb.runCommand('Preferences: Toggle between Light/Dark Themes');
  await wb.closeAllEditors();
});

e2eTest('weights viewer: a packed BitNet safetensors file is offered to the viewer and shown with exact trits', async (wb) => {
  const dir = path.join(wb.ctx.workspaceDir, '.tritscope/e2e/bitnet-st');
  mkdirSync(dir, { recursive: true });
  const m = writeBitnetCheckpoint(dir);
  const rel = path.relative(wb.ctx.workspaceDir, m.file);
  await wb.openFile(rel);
  // Not taken over: the default editor shows it, and the viewer is offered.
  const text = await wb.waitForNotification(/looks like a ternary checkpoint/, 45_000);
  assert.match(text, /14 ternary tensors/);
  assert.equal(await wb.page.locator('iframe.webview.ready').count(), 0, 'no viewer until the offer is taken');
  await wb.page.locator('.notifications-toasts .notification-toast').filter({ hasText: /looks like a ternary checkpoint/ }).getByRole('button', { name: 'Open in Tritscope' }).click();
  const view = await wb.waitForWebview('#weights-progress[data-done]');
  for (const [name, counts] of Object.entries(m.counts)) {
    const cell = view.locator(`#tensor-table tr.tensor[data-tensor="${name}"] td.trits`);
    assert.deepEqual([await cell.getAttribute('data-neg'), await cell.getAttribute('data-zero'), await cell.getAttribute('data-pos')].map(Number), [counts.neg, counts.zero, counts.pos], name);
  }
  assert.match(await view.locator('#fact-context').innerText(), /4096/);
  await view.locator('#tensor-table tr.tensor[data-tensor="model.layers.1.self_attn.q_proj.weight"]').click();
  await view.locator('#details-title').filter({ hasText: 'q_proj.weight' }).waitFor({ timeout: 10_000 });
  await wb.screenshot('safetensors-viewer');
  await wb.closeAllEditors();
});
