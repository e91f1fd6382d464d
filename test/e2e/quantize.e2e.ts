/**
 * "Quantize to ternary" as a person runs it: F1, then the guided QuickPick flow
 * walked with the keyboard only. A post-training job logs to the task terminal
 * and opens the new `.tnn` in the custom editor; a QAT job shows the progress
 * notification and the live training chart, and its Cancel button stops it.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { drawnPixels, e2eTest, findWebview, type Workbench } from './helpers';

const QUICK_INPUT = '.quick-input-widget';
const SCRATCH = '.tritscope/e2e-quantize';

function scratchFile(wb: Workbench, name: string): string {
  const dir = path.join(wb.ctx.workspaceDir, SCRATCH);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  rmSync(file, { force: true });
  return file;
}

/** Waits for the flow step whose title contains `title`, types `filter` and presses Enter. */
async function choose(wb: Workbench, title: string, filter: string, screenshot?: string): Promise<void> {
  const widget = wb.page.locator(QUICK_INPUT);
  await widget.filter({ hasText: title }).waitFor({ state: 'visible', timeout: 30_000 });
  await wb.page.keyboard.type(filter);
  // The list filters asynchronously: wait until the row we want is the focused one.
  await widget.locator('.monaco-list-row.focused').filter({ hasText: filter }).first().waitFor({ state: 'visible', timeout: 15_000 });
  if (screenshot) await wb.screenshot(screenshot);
  await wb.page.keyboard.press('Enter');
}

/** Replaces the InputBox value of the step titled `title` and presses Enter. */
async function enterText(wb: Workbench, title: string, value: string): Promise<void> {
  const widget = wb.page.locator(QUICK_INPUT);
  await widget.filter({ hasText: title }).waitFor({ state: 'visible', timeout: 30_000 });
  await wb.page.keyboard.press('Control+A');
  await wb.page.keyboard.type(value);
  await wb.page.keyboard.press('Enter');
}

/** F1 → "Quantize to ternary" → Enter, keyboard only. */
async function startFlow(wb: Workbench): Promise<void> {
  const rows = await wb.searchCommands('Tritscope: Quantize to ternary');
  assert.ok(rows.some((r) => r.includes('Tritscope: Quantize to ternary')), `palette rows: ${rows.join(' | ')}`);
  await wb.page.locator(`${QUICK_INPUT} .monaco-list-row.focused`).filter({ hasText: 'Quantize to ternary' }).waitFor({ state: 'visible', timeout: 15_000 });
  await wb.page.keyboard.press('Enter');
}

/**
 * Text of the visible terminal. xterm draws on a canvas; with screen reader
 * mode on (toggled by `screenReader`) it also keeps its rows as DOM text.
 */
async function terminalText(wb: Workbench): Promise<string> {
  const texts = await wb.page.locator('.terminal-wrapper.active .xterm-accessibility-tree, .terminal-wrapper.active .xterm-rows').allInnerTexts().catch(() => []);
  return texts.join('\n').replace(/\u00a0/g, ' ');
}

/** Runs `fn` with VS Code's screen reader mode on, so terminal rows are readable DOM text. */
async function withScreenReader(wb: Workbench, fn: () => Promise<void>): Promise<void> {
  const command = 'Toggle Screen Reader Accessibility Mode';
  await wb.runCommand(command);
  try {
    await fn();
  } finally {
    await wb.runCommand(command).catch(() => undefined);
  }
}

async function waitForTerminalText(wb: Workbench, re: RegExp, timeoutMs = 60_000): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const t = await terminalText(wb);
    if (re.test(t)) return t;
    if (Date.now() - t0 > timeoutMs) throw new Error(`terminal never showed ${re}; it shows:\n${t.slice(-1500)}`);
    await wb.page.waitForTimeout(500);
  }
}

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
  await wb.closeAllEditors();
  await startFlow(wb);
  await choose(wb, '(1/6)', 'models/fashion-cnn.onnx');
  await choose(wb, '(2/6)', 'asym-uniform');
  await choose(wb, '(3/6)', 'Quantization-aware training');
  await choose(wb, '(4/6)', 'Weights + activations');
  await choose(wb, '(5/6)', 'fashion-mnist:train');
  await enterText(wb, 'Epochs', '1');
  await choose(wb, 'Knowledge distillation', 'None');
  await enterText(wb, '(6/6)', out);

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
