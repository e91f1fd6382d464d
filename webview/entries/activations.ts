/**
 * The debugger's activation view: the current layer's output as one heatmap per
 * channel (4-D tensors) or a bar chart (vectors). Colors come from the theme:
 * negative values toward --vscode-charts-red, positive toward --vscode-charts-blue,
 * zero at the editor background; redrawn when the theme changes.
 */
import './activations.css';
import type { ActivationView, FromActivationWebview, ToActivationWebview } from '../../src/shared/activationView';

interface VsCodeApi {
  postMessage(m: FromActivationWebview): void;
  getState(): { view?: ActivationView } | undefined;
  setState(s: { view?: ActivationView }): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

type Rgb = [number, number, number];

function cssColor(name: string, fallback: string): Rgb {
  const probe = document.createElement('span');
  probe.style.color = getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
  document.body.append(probe);
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(getComputedStyle(probe).color);
  probe.remove();
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [128, 128, 128];
}

interface Palette { neg: Rgb; zero: Rgb; pos: Rgb }
const palette = (): Palette => ({
  neg: cssColor('--vscode-charts-red', '#f14c4c'),
  zero: cssColor('--vscode-editor-background', '#1e1e1e'),
  pos: cssColor('--vscode-charts-blue', '#3794ff'),
});

/** Maps v in [−scale, scale] to the diverging palette. */
function colorOf(p: Palette, v: number, scale: number): Rgb {
  const t = scale > 0 ? Math.max(-1, Math.min(1, v / scale)) : 0;
  const end = t < 0 ? p.neg : p.pos;
  const a = Math.abs(t);
  return [0, 1, 2].map((i) => Math.round(p.zero[i] + (end[i] - p.zero[i]) * a)) as Rgb;
}

const root = document.getElementById('root')!;
const heading = document.createElement('h2');
const meta = document.createElement('p');
meta.className = 'meta';
meta.setAttribute('role', 'status');
const body = document.createElement('div');
root.append(heading, meta, body);

/** Palette colors of t = v/scale quantized to 1/255 steps (the canvas has 8-bit channels anyway). */
function colorTable(p: Palette): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(511 * 3);
  for (let i = 0; i < 511; i++) lut.set(colorOf(p, i - 255, 255), i * 3);
  return lut;
}

function drawMap(canvas: HTMLCanvasElement, ch: ActivationView['channels'][number], p: Palette, scale: number, lut = colorTable(p)): void {
  canvas.width = ch.width;
  canvas.height = ch.height;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(ch.width, ch.height);
  // A table lookup per pixel, no allocations: 64 maps of 28×28 are 50 k pixels per stop.
  const px = img.data, k = scale > 0 ? 255 / scale : 0;
  for (let i = 0; i < ch.data.length; i++) {
    const j = 3 * (255 + Math.max(-255, Math.min(255, Math.round(ch.data[i] * k) || 0)));
    px[4 * i] = lut[j];
    px[4 * i + 1] = lut[j + 1];
    px[4 * i + 2] = lut[j + 2];
    px[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function drawBars(canvas: HTMLCanvasElement, values: number[], p: Palette, scale: number): void {
  const w = (canvas.width = Math.max(200, canvas.clientWidth || 400));
  const h = (canvas.height = 220);
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, w, h);
  const mid = h / 2, bw = w / Math.max(1, values.length);
  values.forEach((v, i) => {
    const [r, g, b] = colorOf(p, v, scale);
    const bh = scale > 0 ? (Math.abs(v) / scale) * (mid - 4) : 0;
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(i * bw + 1, v >= 0 ? mid - bh : mid, Math.max(1, bw - 2), bh);
  });
  const [fr, fg, fb] = cssColor('--vscode-foreground', '#cccccc');
  ctx.fillStyle = `rgba(${fr},${fg},${fb},0.5)`;
  ctx.fillRect(0, mid, w, 1);
}

function legend(p: Palette, scale: number): HTMLElement {
  const el = document.createElement('div');
  el.className = 'legend';
  const c = document.createElement('canvas');
  c.width = 64;
  c.height = 1;
  drawMap(c, { width: 64, height: 1, data: Array.from({ length: 64 }, (_, i) => ((i / 63) * 2 - 1) * scale) }, p, scale);
  const lo = document.createElement('span');
  lo.textContent = (-scale).toPrecision(3);
  const hi = document.createElement('span');
  hi.textContent = scale.toPrecision(3);
  el.append(lo, c, hi);
  return el;
}

function render(view: ActivationView | undefined): void {
  body.replaceChildren();
  if (!view) return;
  const p = palette();
  const scale = Math.max(Math.abs(view.min), Math.abs(view.max));
  heading.textContent = `${view.index}: ${view.label}`;
  const shown = view.kind === 'maps' && view.totalChannels > view.channels.length ? ` (first ${view.channels.length} of ${view.totalChannels} channels)` : '';
  meta.textContent = `[${view.shape.join('×')}] min ${view.min.toPrecision(4)} max ${view.max.toPrecision(4)}${shown}`;
  body.append(legend(p, scale));
  if (view.kind === 'maps') {
    const grid = document.createElement('div');
    grid.className = 'maps';
    const lut = colorTable(p);
    view.channels.forEach((ch, i) => {
      const cell = document.createElement('div');
      cell.className = 'map';
      const canvas = document.createElement('canvas');
      canvas.setAttribute('aria-label', `channel ${i}`);
      drawMap(canvas, ch, p, scale, lut);
      const label = document.createElement('span');
      label.textContent = `ch ${i}`;
      cell.append(canvas, label);
      grid.append(cell);
    });
    body.append(grid);
  } else {
    const wrap = document.createElement('div');
    wrap.className = 'bars';
    const canvas = document.createElement('canvas');
    canvas.setAttribute('aria-label', `${view.channels[0]?.data.length ?? 0} output values`);
    wrap.append(canvas);
    body.append(wrap);
    drawBars(canvas, view.channels[0]?.data ?? [], p, scale);
  }
}

let current = vscode.getState()?.view;
if (current) render(current);
else {
  heading.textContent = 'Tritscope activations';
  meta.textContent = 'Start a Tritscope debug session (F5 on a .tnn) to see each layer’s output here.';
}

window.addEventListener('message', (e: MessageEvent<ToActivationWebview>) => {
  const msg = e.data;
  if (msg?.type === 'layer') {
    current = msg.view;
    vscode.setState({ view: current });
    render(current);
  } else if (msg?.type === 'idle') {
    meta.textContent = msg.message;
  }
});

// Theme switches change the CSS variables the canvases were painted with.
new MutationObserver(() => render(current)).observe(document.body, { attributes: true, attributeFilter: ['class'] });
vscode.postMessage({ type: 'ready' });
