/**
 * The graph view as a person uses it: the Graph tab of a ResNet-50-topology
 * model (175 layers) draws one node per layer with `data-layer` and an
 * accessible label; metrics colour the nodes; clicking a node selects its
 * table row and the other way round; keys move along edges, select and zoom;
 * the minimap shows; light and dark screenshots go to test-results/graph-*.png.
 * Then the compare view draws both models' graphs with the changed nodes marked.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { serializeTnn } from '../../src/core/format/index';
import { buildResNet50Topology } from '../fixtures/resnet50-topology';
import { buildEditorModel } from '../unit/cost/fixtures';
import { e2eTest, findWebview, type Workbench } from './helpers';

const DIR = '.tritscope/e2e';

function write(wb: Workbench, name: string, bytes: Uint8Array): string {
  mkdirSync(path.join(wb.ctx.workspaceDir, DIR), { recursive: true });
  writeFileSync(path.join(wb.ctx.workspaceDir, DIR, name), bytes);
  return `${DIR}/${name}`;
}

const node = (view: FrameLocator, name: string) => view.locator(`#graph-canvas [data-layer="${name}"]`);
const themeName = (cls: string) => (/vscode-light/.test(cls) ? 'light' : /high-contrast/.test(cls) ? 'hc' : 'dark');

async function setMetric(view: FrameLocator, id: string, metric: string): Promise<void> {
  await view.locator(id).evaluate((sel: HTMLElement & { value: string }, m) => {
    sel.value = m;
    sel.dispatchEvent(new Event('change', { bubbles: true }));
  }, metric);
}

async function activeLayer(view: FrameLocator): Promise<string | null> {
  return view.locator('body').evaluate(() => document.activeElement?.getAttribute('data-layer') ?? null);
}

e2eTest('tnn editor graph view: ResNet-50 nodes, metrics, selection shared with the table, keyboard, zoom, themes', async (wb) => {
  const model = buildResNet50Topology();
  const ternary = model.graph.layers.filter((l) => l.weightQuant).length;
  const rel = write(wb, 'graph-resnet50.tnn', serializeTnn(model));
  await wb.openFile(rel);
  const view = await wb.waitForWebview('#tab-graph');
  await view.locator('#tab-graph').click();
  await view.locator('#graph-canvas[data-render-ms]').waitFor({ timeout: 60_000 });

  // One node per layer, each with data-layer, a role and an accessible name.
  const nodes = view.locator('#graph-canvas [data-layer]');
  assert.equal(await nodes.count(), model.graph.layers.length, 'one node per layer');
  const labels = await nodes.evaluateAll((els) => els.map((e) => [e.getAttribute('role') ?? '', e.getAttribute('aria-label') ?? '']));
  assert.ok(labels.every(([role, label]) => role === 'button' && label.length > 10), 'every node is a labelled button');
  assert.match(labels[0][1], /^conv2d layer \/conv1\/Conv/, 'graph order: the stem conv first');
  assert.equal(await view.locator('#graph-minimap').count(), 1, 'minimap at 100+ nodes');
  const timing = await view.locator('#graph-canvas').evaluate((c: HTMLElement) => ({ ...c.dataset }));
  mkdirSync(wb.ctx.resultsDir, { recursive: true });
  writeFileSync(path.join(wb.ctx.resultsDir, 'graph-render.json'), JSON.stringify({ layers: model.graph.layers.length, ...timing }, null, 2));

  // Metrics: sparsity colours the ternary layers; sensitivity has no data yet.
  await setMetric(view, '#graph-metric', 'sensitivity');
  await view.locator('#graph-no-data').waitFor({ timeout: 10_000 });
  assert.match(await view.locator('#graph-no-data').innerText(), /no data yet/);
  await setMetric(view, '#graph-metric', 'sparsity');
  await view.locator('#graph-legend .legend-ramp').waitFor({ timeout: 10_000 });
  assert.equal(await view.locator('#graph-canvas .node.colored').count(), ternary, 'every ternary layer has a sparsity colour');
  assert.match(await node(view, '/layer1/layer1.0/conv1/Conv').getAttribute('aria-label') ?? '', /Sparsity \(share of zero trits\) \d+\.\d %/);

  // Graph → table: a click selects the node, its details and its table row.
  await node(view, '/conv1/Conv').click();
  await view.locator('#details-title').filter({ hasText: '/conv1/Conv' }).waitFor({ timeout: 10_000 });
  assert.match(await node(view, '/conv1/Conv').getAttribute('class') ?? '', /\bselected\b/);
  await view.locator('#tab-table').click();
  assert.equal(await view.locator('#layer-table tbody tr[aria-selected="true"]').getAttribute('data-layer'), '/conv1/Conv');

  // Table → graph: a row selected in the table is the selected node, scrolled into the graph's view.
  const far = '/layer3/layer3.1/conv1/Conv';
  await view.locator(`#layer-table tbody tr[data-layer="${far}"]`).click();
  await view.locator('#tab-graph').click();
  await view.locator(`#graph-canvas .node.selected[data-layer="${far}"]`).waitFor({ timeout: 10_000 });
  const [box, canvas] = await Promise.all([node(view, far).boundingBox(), view.locator('#graph-canvas').boundingBox()]);
  assert.ok(box && canvas && box.y >= canvas.y && box.y + box.height <= canvas.y + canvas.height, 'the selected node is inside the visible canvas');

  // Keyboard: ↓ follows the edge to the next layer, Enter selects it; + zooms in, 0 fits the whole graph.
  await node(view, far).focus();
  await wb.page.keyboard.press('ArrowDown');
  assert.equal(await activeLayer(view), '/layer3/layer3.1/bn1/BatchNormalization');
  await wb.page.keyboard.press('ArrowUp');
  assert.equal(await activeLayer(view), far);
  await wb.page.keyboard.press('ArrowDown');
  await wb.page.keyboard.press('Enter');
  await view.locator('#details-title').filter({ hasText: 'layer3.1/bn1' }).waitFor({ timeout: 10_000 });
  const zoom = async () => Number(await view.locator('#graph-canvas').getAttribute('data-zoom'));
  const z0 = await zoom();
  await wb.page.keyboard.press('+');
  assert.ok((await zoom()) > z0, '+ zooms in');
  await wb.page.keyboard.press('0');
  assert.ok((await zoom()) < 0.2, '0 fits the 175-layer graph');
  for (let i = 0; i < 30 && (await zoom()) < 0.9; i++) await wb.page.keyboard.press('+');

  // Screenshots in both themes, the graph tab at the top of the view.
  await view.locator('#tab-graph').evaluate((t) => t.scrollIntoView({ block: 'start' }));
  const theme1 = themeName((await view.locator('body').getAttribute('class')) ?? '');
  await wb.screenshot(`graph-${theme1}`);
  await wb.runCommand('Preferences: Toggle between Light/Dark Themes');
  await wb.page.waitForTimeout(1500);
  const theme2 = themeName((await view.locator('body').getAttribute('class')) ?? '');
  assert.notEqual(theme2, theme1, 'theme switched');
  await view.locator('#tab-graph').evaluate((t) => t.scrollIntoView({ block: 'start' }));
  await wb.screenshot(`graph-${theme2}`);
  await wb.runCommand('Preferences: Toggle between Light/Dark Themes');

  // Hide and show the editor: tab, metric, selection and zoom come back from setState.
  await wb.openFile('README.md');
  await wb.page.locator('.tabs-container .tab').filter({ hasText: 'graph-resnet50.tnn' }).first().click();
  const again = await wb.waitForWebview('#graph-canvas[data-render-ms]');
  assert.equal(await again.locator('#tab-graph').getAttribute('aria-selected'), 'true', 'graph tab restored');
  assert.equal(await again.locator('#graph-canvas .node.selected').getAttribute('data-layer'), '/layer3/layer3.1/bn1/BatchNormalization', 'selection restored');
  assert.equal(await again.locator('#graph-canvas .node.colored').count(), ternary, 'metric restored');
  await wb.closeAllEditors();
});

e2eTest('tnn editor compare view: both graphs drawn, changed and added layers marked', async (wb) => {
  const a = write(wb, 'graph-cmp-a.tnn', serializeTnn(buildEditorModel({ channels: [8, 16, 16], seed: 1 })));
  const b = write(wb, 'graph-cmp-b.tnn', serializeTnn(buildEditorModel({ channels: [8, 16, 16, 32], seed: 2 })));
  await wb.openFile(a);
  const view = await wb.waitForWebview('#action-compare');
  await view.locator('#action-compare').click();
  // "Compare…" asks for the other model; in the web workbench the open dialog is a path box.
  // It fills in its folder asynchronously: wait until it lists the folder, or it overwrites what we type.
  const box = wb.page.locator('.quick-input-widget .quick-input-box input');
  await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'graph-cmp-b.tnn' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await box.fill(path.join(wb.ctx.workspaceDir, b));
  for (let i = 0; i < 3 && (await wb.page.locator('.quick-input-widget').isVisible()); i++) {
    await wb.page.keyboard.press('Enter');
    await wb.page.waitForTimeout(1000);
  }
  await wb.waitForTab('graph-cmp-a.tnn ↔ graph-cmp-b.tnn');
  const cmp = await findWebview(wb, '#graph-b-canvas [data-layer]');
  assert.equal(await cmp.locator('#graph-a-canvas [data-layer]').count(), 12);
  assert.equal(await cmp.locator('#graph-b-canvas [data-layer]').count(), 15);
  assert.equal(await cmp.locator('#graph-b-canvas .change-added').count(), 3, 'conv4, bn4, relu4 only in the second model');
  assert.ok((await cmp.locator('#graph-b-canvas .change-changed').count()) >= 2, 'the re-drawn ternary convs differ');
  assert.equal(await cmp.locator('#graph-b-canvas [data-layer="conv2"]').getAttribute('data-change'), 'changed: quant, trits');
  await cmp.locator('#graph-a-canvas [data-layer="conv2"]').click();
  await cmp.locator('#graph-b-canvas .node.selected[data-layer="conv2"]').waitFor({ timeout: 10_000 });
  assert.equal(await cmp.locator('#compare-table tbody tr[aria-selected="true"]').getAttribute('data-layer'), 'conv2');
  await wb.screenshot('graph-compare');
  await wb.closeAllEditors();
});
