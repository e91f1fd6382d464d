// The webview half of `bench-gguf.mjs`: runs the viewer's host side in a child process (bench child, mode
// `viewer … --relay`), relays each message it would post into dist/webview.js in Chromium as it comes, and
// reads when the webview had the tensor table in the DOM and when the last statistics were applied. Both
// processes stamp epoch milliseconds (performance.timeOrigin + now), so the times span the two.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { launchChromium, writeWebviewPage } from './webview-harness.mjs';

let browser = null;

export async function relayRun({ root, child, file, work, shot }) {
  browser ??= await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(writeWebviewPage(root, work, 'dark'));
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
  // Marks at animation frames: the table once its first tensor row exists, the end once the progress says done.
  await page.evaluate(() => {
    window.__marks = {};
    const tick = () => {
      const now = performance.timeOrigin + performance.now();
      if (!window.__marks.table && document.querySelector('#tensor-table tbody tr.tensor')) window.__marks.table = now;
      if (!window.__marks.done && document.querySelector('#weights-progress[data-done]')) window.__marks.done = now;
      if (!window.__marks.done) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const proc = spawn(process.execPath, [child, 'viewer', file, '0', '--relay'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let openAt = 0, result = null, chain = Promise.resolve();
  const lines = createInterface({ input: proc.stdout });
  lines.on('line', (line) => {
    if (line.startsWith('OPEN ')) openAt = Number(line.slice(5));
    else if (line.startsWith('MSG ')) {
      const m = JSON.parse(line.slice(4));
      chain = chain.then(() => page.evaluate((x) => window.postMessage(x, '*'), m));
      // The webview's `rendered` reply: the host starts the statistics then.
      if (m.type === 'weights') chain = chain.then(async () => {
        await page.waitForFunction(() => window.__marks.table, null, { timeout: 60_000 });
        proc.stdin.end('rendered\n');
      });
    } else if (line.startsWith('{')) result = JSON.parse(line);
  });
  await new Promise((resolve, reject) => proc.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`viewer child exited ${code}`)))));
  await chain;
  await page.waitForFunction(() => window.__marks.done, null, { timeout: 60_000 });
  const marks = await page.evaluate(() => window.__marks);
  if (shot) {
    mkdirSync(shot, { recursive: true });
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(shot, 'bench-gguf-viewer.png'), fullPage: true });
  }
  await page.close();
  return { openToTableMs: marks.table - openAt, openToFullStatsMs: marks.done - openAt, peakRssMB: result?.peakRssMB, hostStatsMs: result?.statsMs };
}

export async function closeBrowser() {
  await browser?.close();
  browser = null;
}
