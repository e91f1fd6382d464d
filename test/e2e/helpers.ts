/**
 * Helpers for end-to-end specs that drive VS Code (code-server's web workbench)
 * through Chromium like a person would. A spec file `test/e2e/<feature>.e2e.ts`
 * calls `e2eTest(title, async (wb) => { ... })`; test/run-codeserver.mjs loads
 * every bundled spec and runs the registered tests in order on one page.
 * See test/README.md.
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** What the driver hands each test. */
export interface E2eContext {
  page: Page;
  /** Absolute path of the folder open in VS Code (samples/). */
  workspaceDir: string;
  /** Where screenshots go (test-results/). */
  resultsDir: string;
  /** Repository root. */
  repoRoot: string;
}

export interface E2eTest {
  title: string;
  file: string;
  run: (ctx: E2eContext) => Promise<void>;
}

// Each spec bundle carries its own copy of this module, so the registry lives on globalThis.
const REGISTRY = Symbol.for('tritscope.e2e.registry');
type Registry = { tests: E2eTest[] };
function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  g[REGISTRY] ??= { tests: [] };
  return g[REGISTRY];
}

/** Registers an end-to-end test (runs after the integration suites, in file then call order). */
export function e2eTest(title: string, fn: (wb: Workbench) => Promise<void>): void {
  registry().tests.push({ title, file: callerFile(), run: (ctx) => fn(new Workbench(ctx)) });
}

function callerFile(): string {
  const line = new Error().stack?.split('\n')[3] ?? '';
  const m = /\(?([^()\s]+\.js):\d+:\d+\)?$/.exec(line.trim());
  return m ? path.basename(m[1]) : 'unknown';
}

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = `${QUICK_INPUT} .quick-input-box input`;
const QUICK_INPUT_ROWS = `${QUICK_INPUT} .quick-input-list .monaco-list-row`;

/** A VS Code workbench in a browser page, with the actions specs need. */
export class Workbench {
  readonly page: Page;
  readonly screenshots: string[] = [];

  constructor(readonly ctx: E2eContext) {
    this.page = ctx.page;
  }

  /** Waits until the workbench is rendered and the explorer shows the folder. */
  async ready(timeoutMs = 120_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /**
   * Opens the command palette with `>` and the given text typed; returns the
   * visible row labels. Retries while nothing matches: right after the page loads
   * the extension host may not have registered the extensions' contributions yet.
   */
  async searchCommands(text: string, timeoutMs = 45_000): Promise<string[]> {
    const t0 = Date.now();
    for (;;) {
      const labels = await this.searchCommandsOnce(text);
      if (labels.some((l) => l.includes(text)) || Date.now() - t0 > timeoutMs) return labels;
      await this.closeQuickInput();
      await this.page.waitForTimeout(1000);
    }
  }

  private async searchCommandsOnce(text: string): Promise<string[]> {
    await this.closeQuickInput();
    const box = await this.openQuickInput('F1');
    await box.fill(`>${text}`);
    const rows = this.page.locator(QUICK_INPUT_ROWS);
    // The list filters asynchronously; wait for a row whose label contains the text.
    await rows.filter({ hasText: text }).first().waitFor({ state: 'visible', timeout: 15_000 }).catch(() => undefined);
    return (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** Runs a command by its palette title (e.g. "Tritscope: Open Sample Model"). */
  async runCommand(title: string): Promise<void> {
    const labels = await this.searchCommands(title);
    const row = this.page.locator(QUICK_INPUT_ROWS).filter({ hasText: title }).first();
    if (!(await row.count())) throw new Error(`command "${title}" not in the palette; rows: ${labels.join(' | ')}`);
    await row.click();
    await this.page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  }

  /**
   * Presses `key` (F1, Control+P) until the quick input shows. A key press can
   * be lost when focus sits nowhere (e.g. right after a modal editor closed), so
   * focus is moved back into the workbench between attempts.
   */
  async openQuickInput(key: string): Promise<Locator> {
    const box = this.page.locator(QUICK_INPUT_BOX);
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press(key);
      try {
        await box.waitFor({ state: 'visible', timeout: 5_000 });
        return box;
      } catch (err) {
        if (attempt >= 4) throw err;
        await this.page.keyboard.press('Escape');
        await this.page.locator('.part.statusbar').click({ position: { x: 600, y: 5 }, force: true }).catch(() => undefined);
        await this.page.locator('.part.editor').click({ position: { x: 50, y: 200 }, force: true }).catch(() => undefined);
      }
    }
  }

  /** Closes any open quick input (palette, quick open). */
  async closeQuickInput(): Promise<void> {
    if (await this.page.locator(QUICK_INPUT).isVisible()) {
      await this.page.keyboard.press('Escape');
      await this.page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    }
  }

  /** Opens a workspace file with Quick Open (Ctrl+P), as a user would; it opens in its default editor. */
  /** Opens a workspace file through quick open; `clickedAt` gets the time of the click that opens it (quick open's search excluded). */
  async openFile(relPath: string, clickedAt?: (ms: number) => void): Promise<void> {
    const abs = path.join(this.ctx.workspaceDir, relPath);
    if (!existsSync(abs)) throw new Error(`openFile: ${abs} does not exist`);
    await this.closeQuickInput();
    const box = await this.openQuickInput('Control+P');
    await box.fill(relPath);
    const name = path.basename(relPath);
    const row = this.page.locator(QUICK_INPUT_ROWS).filter({ hasText: name }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    // Click the matching row: Enter would open the *first* result, which fuzzy matching may rank
    // above the exact name (a sibling such as fashion-cnn.qat.tnn for "models/fashion-cnn.tnn").
    clickedAt?.(Date.now());
    await row.click();
    await this.waitForTab(name);
  }

  /** The tab with this label in the active editor group, once visible. */
  async waitForTab(label: string, timeoutMs = 30_000): Promise<Locator> {
    const tab = this.page.locator('.tabs-container .tab').filter({ hasText: label }).first();
    await tab.waitFor({ state: 'visible', timeout: timeoutMs });
    return tab;
  }

  /** Label of the active tab of the active editor group. */
  async activeTabLabel(): Promise<string> {
    const tab = this.page.locator('.editor-group-container.active .tab.active').first();
    // aria-label is "<name>[, <state>...]"; the visible label splits name and extension.
    const aria = (await tab.getAttribute('aria-label')) ?? '';
    return aria.split(',')[0].trim();
  }

  /**
   * The DOM inside the active webview (custom editors, panels). VS Code renders
   * a webview as an outer iframe (class `webview ready`) wrapping `#active-frame`.
   * `index` picks among several visible webviews.
   */
  webview(index = 0): FrameLocator {
    return this.page.locator('iframe.webview.ready').nth(index).contentFrame().locator('#active-frame').contentFrame();
  }

  /** Waits until at least one webview iframe is ready and its content has loaded `selector`. */
  async waitForWebview(selector = 'body', timeoutMs = 60_000): Promise<FrameLocator> {
    await this.page.locator('iframe.webview.ready').first().waitFor({ state: 'attached', timeout: timeoutMs });
    const frame = this.webview();
    await frame.locator(selector).first().waitFor({ state: 'attached', timeout: timeoutMs });
    return frame;
  }

  /** Waits for a notification toast whose text matches; returns its text. */
  async waitForNotification(match: string | RegExp, timeoutMs = 30_000): Promise<string> {
    const toast = this.page.locator('.notifications-toasts .notification-toast').filter({ hasText: match }).first();
    await toast.waitFor({ state: 'visible', timeout: timeoutMs });
    return (await toast.innerText()).replace(/\s+/g, ' ').trim();
  }

  /** Saves a PNG of what the user sees to test-results/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(this.ctx.resultsDir, { recursive: true });
    const file = path.join(this.ctx.resultsDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await this.page.screenshot({ path: file });
    this.screenshots.push(file);
    return file;
  }

  /** Closes every editor (between tests, so each starts from an empty editor area). */
  async closeAllEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors').catch(() => undefined);
  }
}

/** The webview frame whose document contains `selector` (several webviews may be open, or a hidden one attached). */
export async function findWebview(wb: Workbench, selector: string, timeoutMs = 60_000): Promise<FrameLocator> {
  const t0 = Date.now();
  for (;;) {
    const n = await wb.page.locator('iframe.webview.ready').count();
    for (let i = 0; i < n; i++) {
      const f = wb.webview(i);
      if (await f.locator(selector).count().catch(() => 0)) return f;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`no webview with ${selector}`);
    await wb.page.waitForTimeout(500);
  }
}

/** Pixels with non-zero alpha in the canvas at `selector` of a webview: did the chart or map draw anything? */
export async function drawnPixels(view: FrameLocator, selector: string): Promise<number> {
  return view.locator(selector).evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
}

/** The tests registered by the spec bundles loaded so far (used by the driver). */
export function registeredE2eTests(): E2eTest[] {
  return registry().tests;
}
