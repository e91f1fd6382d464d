/**
 * Walking the "Quantize to ternary" flow with the keyboard, and reading the
 * task terminal, for the quantize e2e specs (TF.js and PyTorch backends).
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Workbench } from './helpers';

const QUICK_INPUT = '.quick-input-widget';
const SCRATCH = '.tritscope/e2e-quantize';

export function scratchFile(wb: Workbench, name: string): string {
  const dir = path.join(wb.ctx.workspaceDir, SCRATCH);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  rmSync(file, { force: true });
  return file;
}

/** Waits for the flow step whose title contains `title`, types `filter` and presses Enter. */
export async function choose(wb: Workbench, title: string, filter: string, screenshot?: string): Promise<void> {
  const widget = wb.page.locator(QUICK_INPUT);
  await widget.filter({ hasText: title }).waitFor({ state: 'visible', timeout: 30_000 });
  await wb.page.keyboard.type(filter);
  // The list filters asynchronously: wait until the row we want is the focused one.
  await widget.locator('.monaco-list-row.focused').filter({ hasText: filter }).first().waitFor({ state: 'visible', timeout: 15_000 });
  if (screenshot) await wb.screenshot(screenshot);
  await wb.page.keyboard.press('Enter');
}

/** Replaces the InputBox value of the step titled `title` and presses Enter. */
export async function enterText(wb: Workbench, title: string, value: string): Promise<void> {
  const widget = wb.page.locator(QUICK_INPUT);
  await widget.filter({ hasText: title }).waitFor({ state: 'visible', timeout: 30_000 });
  await wb.page.keyboard.press('Control+A');
  await wb.page.keyboard.type(value);
  await wb.page.keyboard.press('Enter');
}

/** F1 → "Quantize to ternary" → Enter, keyboard only. */
export async function startFlow(wb: Workbench): Promise<void> {
  const rows = await wb.searchCommands('Tritscope: Quantize to ternary');
  assert.ok(rows.some((r) => r.includes('Tritscope: Quantize to ternary')), `palette rows: ${rows.join(' | ')}`);
  await wb.page.locator(`${QUICK_INPUT} .monaco-list-row.focused`).filter({ hasText: 'Quantize to ternary' }).waitFor({ state: 'visible', timeout: 15_000 });
  await wb.page.keyboard.press('Enter');
}

/**
 * Text of the visible terminal. xterm draws on a canvas; with screen reader
 * mode on (toggled by `screenReader`) it also keeps its rows as DOM text.
 */
export async function terminalText(wb: Workbench): Promise<string> {
  const texts = await wb.page.locator('.terminal-wrapper.active .xterm-accessibility-tree, .terminal-wrapper.active .xterm-rows').allInnerTexts().catch(() => []);
  return texts.join('\n').replace(/\u00a0/g, ' ');
}

/** Runs `fn` with VS Code's screen reader mode on, so terminal rows are readable DOM text. */
export async function withScreenReader(wb: Workbench, fn: () => Promise<void>): Promise<void> {
  const command = 'Toggle Screen Reader Accessibility Mode';
  await wb.runCommand(command);
  try {
    await fn();
  } finally {
    await wb.runCommand(command).catch(() => undefined);
  }
}

export async function waitForTerminalText(wb: Workbench, re: RegExp, timeoutMs = 60_000): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const t = await terminalText(wb);
    // Long lines (a command with the scratch workspace's paths) wrap over several terminal rows.
    if (re.test(t) || re.test(t.replace(/\n/g, ''))) return t;
    if (Date.now() - t0 > timeoutMs) throw new Error(`terminal never showed ${re}; it shows:\n${t.slice(-1500)}`);
    await wb.page.waitForTimeout(500);
  }
}

/**
 * F1 → Quantize to ternary → the sample CNN, asym-uniform, one epoch of W+A QAT on
 * the Fashion-MNIST training set with `backend` ('TF.js in VS Code' | 'PyTorch')
 * and the given distillation choice, writing `out`.
 */
export async function startQatFlow(wb: Workbench, backend: string, kd: string, out: string): Promise<void> {
  await wb.closeAllEditors();
  await startFlow(wb);
  await choose(wb, '(1/6)', 'models/fashion-cnn.onnx');
  await choose(wb, '(2/6)', 'asym-uniform');
  await choose(wb, '(3/6)', 'Quantization-aware training');
  // With PyTorch the flow looks for a Python that imports torch before asking further.
  await choose(wb, 'train with', backend);
  await choose(wb, '(4/6)', 'Weights + activations');
  await choose(wb, '(5/6)', 'fashion-mnist:train');
  await enterText(wb, 'Epochs', '1');
  await choose(wb, 'Knowledge distillation', kd);
  await enterText(wb, '(6/6)', out);
}
