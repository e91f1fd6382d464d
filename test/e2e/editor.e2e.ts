/**
 * The `.tnn` model viewer as a person sees it: table values equal
 * `tritscope inspect --json`, charts draw, keyboard selection, a corrupted
 * file's error, light and dark themes. Screenshots go to test-results/.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { serializeTnn } from '../../src/core/format/index';
import { fmt } from '../../webview/table';
import { buildEditorModel } from '../unit/cost/fixtures';
import { drawnPixels, e2eTest, type Workbench } from './helpers';

interface InspectJson {
  layers: Array<{ name: string; thresholds: { pos: number; neg: number } | null; scale: { pos: number; neg: number } | null }>;
}

/** The trained sample when present, else a synthetic model with latent weights written to the scratch folder. */
function modelPath(wb: Workbench): string {
  const sample = 'models/fashion-cnn.tnn';
  if (existsSync(path.join(wb.ctx.workspaceDir, sample))) return sample;
  const rel = '.tritscope/e2e/editor-cnn.tnn';
  mkdirSync(path.join(wb.ctx.workspaceDir, '.tritscope/e2e'), { recursive: true });
  writeFileSync(path.join(wb.ctx.workspaceDir, rel), serializeTnn(buildEditorModel({ channels: [8, 16, 16, 32], latent: true, seed: 5 })));
  return rel;
}

e2eTest('tnn editor: table matches inspect --json, charts draw, keyboard selection, themes', async (wb) => {
  const rel = modelPath(wb);
  const inspect = JSON.parse(execFileSync(process.execPath, [path.join(wb.ctx.repoRoot, 'dist/cli.js'), 'inspect', path.join(wb.ctx.workspaceDir, rel), '--json'], { encoding: 'utf8' })) as InspectJson;
  await wb.openFile(rel);
  const view = await wb.waitForWebview('#layer-table tbody tr');
  const rows = view.locator('#layer-table tbody tr');
  assert.equal(await rows.count(), inspect.layers.length, 'one table row per layer');
  for (const [i, l] of inspect.layers.entries()) {
    const cells = (await rows.nth(i).locator('td').allInnerTexts()).map((t) => t.trim());
    assert.equal(cells[1], l.name);
    assert.equal(cells[4], fmt(l.thresholds?.pos ?? null), `Δp of ${l.name}`);
    assert.equal(cells[5], fmt(l.thresholds?.neg ?? null), `Δn of ${l.name}`);
    assert.equal(cells[6], l.scale ? `${fmt(l.scale.pos)} / ${fmt(l.scale.neg)}` : '–', `α of ${l.name}`);
  }
  // The charts follow the table's first paint (webview/main.ts scheduleCharts).
  await view.locator('#charts[data-drawn]').waitFor({ state: 'attached', timeout: 30_000 });
  for (const id of ['#chart-trits-canvas', '#chart-entropy-canvas', '#chart-cost-canvas'])
    assert.ok((await drawnPixels(view, id)) > 500, `${id} has drawn pixels`);

  // Keyboard: focus the table, arrows move the selection and the details follow.
  await view.locator('#layer-table').focus();
  await wb.page.keyboard.press('ArrowDown');
  await wb.page.keyboard.press('ArrowDown');
  assert.equal(await view.locator('#layer-table tbody tr[aria-selected="true"]').getAttribute('data-layer'), inspect.layers[1].name);
  assert.equal((await view.locator('#details-title').innerText()).trim(), inspect.layers[1].name);

  // A ternary layer shows its latent-weight histogram with Δn/Δp lines (the synthetic model always keeps
  // latents; a sample quantized without them must say so instead).
  const ternary = inspect.layers.find((l) => l.thresholds)!;
  await view.locator(`#layer-table tbody tr[data-layer="${ternary.name}"]`).click();
  await view.locator('#details-title').filter({ hasText: ternary.name }).waitFor({ timeout: 10_000 });
  if (rel.startsWith('.tritscope/') || (await view.locator('#chart-histogram').count())) {
    await view.locator('#histogram-canvas').waitFor({ state: 'visible', timeout: 15_000 });
    await wb.page.waitForTimeout(500);
    assert.ok((await drawnPixels(view, '#histogram-canvas')) > 200, 'histogram drawn');
  } else {
    assert.match(await view.locator('#details').innerText(), /No latent float weights/);
  }

  // Sorting by sparsity and filtering.
  await view.locator('th[data-sort="sparsity"]').click();
  assert.equal(await view.locator('th[data-sort="sparsity"]').getAttribute('aria-sort'), 'ascending');

  // Choosing another cost profile: the host recomputes and the header's energy changes.
  const energyBefore = await view.locator('#fact-energy').innerText();
  await view.locator('#profile-select').evaluate((sel: HTMLElement & { value: string }) => {
    sel.value = 'float32-mac';
    sel.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await view.locator('#profile-note summary').filter({ hasText: 'Float32 MAC baseline' }).waitFor({ timeout: 15_000 });
  assert.notEqual(await view.locator('#fact-energy').innerText(), energyBefore, 'energy recomputed for the float32 profile');

  // Hide the editor (another tab in front) and show it again: selection and sort come back from setState.
  await wb.openFile('README.md');
  await wb.page.locator('.tabs-container .tab').filter({ hasText: path.basename(rel) }).first().click();
  const again = await wb.waitForWebview('#layer-table tbody tr[aria-selected="true"]');
  assert.equal(await again.locator('#layer-table tbody tr[aria-selected="true"]').getAttribute('data-layer'), ternary.name, 'selection restored');
  assert.equal(await again.locator('th[data-sort="sparsity"]').getAttribute('aria-sort'), 'ascending', 'sort restored');
  await again.locator('#profile-note summary').filter({ hasText: 'Float32 MAC baseline' }).waitFor({ timeout: 15_000 });
  const theme1 = (await view.locator('body').getAttribute('class')) ?? '';
  const themeName = (cls: string) => (/vscode-light/.test(cls) ? 'light' : /high-contrast/.test(cls) ? 'hc' : 'dark');
  await wb.screenshot(`editor-${themeName(theme1)}`);

  await wb.runCommand('Preferences: Toggle between Light/Dark Themes');
  await wb.page.waitForTimeout(1500);
  const theme2 = (await view.locator('body').getAttribute('class')) ?? '';
  assert.notEqual(themeName(theme2), themeName(theme1), 'webview body theme class changed');
  assert.ok((await drawnPixels(view, '#chart-trits-canvas')) > 500, 'charts redrawn after the theme switch');
  await wb.screenshot(`editor-${themeName(theme2)}`);
  await view.locator('#charts').scrollIntoViewIfNeeded();
  await wb.screenshot(`editor-${themeName(theme2)}-charts`);
  await wb.runCommand('Preferences: Toggle between Light/Dark Themes');
  await wb.closeAllEditors();
});

e2eTest('tnn editor: a corrupted .tnn shows its format error and a reopen button', async (wb) => {
  const rel = '.tritscope/e2e/e2e-broken-model.tnn';
  mkdirSync(path.join(wb.ctx.workspaceDir, '.tritscope/e2e'), { recursive: true });
  const good = serializeTnn(buildEditorModel({ channels: [4, 4] }));
  writeFileSync(path.join(wb.ctx.workspaceDir, rel), good.subarray(0, 80));
  await wb.openFile(rel);
  const view = await wb.waitForWebview('#load-error');
  const text = await view.locator('#error-message').innerText();
  assert.match(text, /e2e-broken-model\.tnn/);
  assert.ok(await view.locator('#action-reopenDefault').isVisible(), 'reopen button visible');
  await wb.screenshot('editor-corrupt');
  await wb.closeAllEditors();
});
