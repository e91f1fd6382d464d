/** Live loss / accuracy curves of a quantization-aware training job. */
import { Chart, LineController, LineElement, PointElement, LinearScale, Legend, Tooltip } from 'chart.js';
import './training.css';
import type { FromTrainingView, ToTrainingView, TrainingPoint } from '../../src/shared/trainingMessages';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

interface VsCodeApi {
  postMessage(m: FromTrainingView): void;
  getState(): { title?: string; points?: TrainingPoint[]; status?: string } | undefined;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

const cssVar = (name: string, fallback: string) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

const root = document.getElementById('root')!;
const heading = document.createElement('h2');
const status = document.createElement('p');
status.setAttribute('role', 'status');
const canvas = document.createElement('canvas');
canvas.setAttribute('aria-label', 'training loss and accuracy per step');
const wrap = document.createElement('div');
wrap.className = 'chart';
wrap.append(canvas);
root.append(heading, status, wrap);

const saved = vscode.getState() ?? {};
const points: TrainingPoint[] = saved.points ?? [];
heading.textContent = saved.title ?? 'Training';
status.textContent = saved.status ?? 'waiting for the first step…';

/** x = fractional epoch across stages, so stage 2 continues to the right of stage 1. */
const xOf = (p: TrainingPoint) => ((p.stage ?? 1) - 1) * (p.epochs ?? 1) + (p.epoch ?? 1) - 1 + (p.steps ? (p.step ?? 0) / p.steps : 0);

function colors() {
  return {
    loss: cssVar('--vscode-charts-red', '#e51400'),
    acc: cssVar('--vscode-charts-green', '#388a34'),
    fg: cssVar('--vscode-foreground', '#333'),
    grid: cssVar('--vscode-editorWidget-border', '#8884'),
  };
}

function datasets() {
  const c = colors();
  return [
    { label: 'loss', data: points.filter((p) => p.loss !== undefined).map((p) => ({ x: xOf(p), y: p.loss! })), borderColor: c.loss, backgroundColor: c.loss, yAxisID: 'loss', pointRadius: 0 },
    { label: 'accuracy', data: points.filter((p) => p.acc !== undefined).map((p) => ({ x: xOf(p), y: p.acc! })), borderColor: c.acc, backgroundColor: c.acc, yAxisID: 'acc', pointRadius: 0 },
  ];
}

const c0 = colors();
const chart = new Chart(canvas, {
  type: 'line',
  data: { datasets: datasets() },
  options: {
    animation: false,
    parsing: false,
    responsive: true,
    maintainAspectRatio: false,
    scales: {
      x: { type: 'linear', min: 0, max: xMax(), title: { display: true, text: 'epoch', color: c0.fg }, ticks: { color: c0.fg }, grid: { color: c0.grid } },
      loss: { type: 'linear', position: 'left', title: { display: true, text: 'loss', color: c0.fg }, ticks: { color: c0.fg }, grid: { color: c0.grid } },
      acc: { type: 'linear', position: 'right', min: 0, max: 1, title: { display: true, text: 'accuracy', color: c0.fg }, ticks: { color: c0.fg }, grid: { drawOnChartArea: false } },
    },
    plugins: { legend: { labels: { color: c0.fg } } },
  },
});

/** The x axis spans the whole run seen so far (0 … stages × epochs), so the curve shows how far training is. */
function xMax(): number {
  return Math.max(1, ...points.map((p) => (p.stage ?? 1) * (p.epochs ?? 1)));
}

function redraw() {
  chart.data.datasets = datasets();
  const x = chart.options.scales?.x as { max?: number } | undefined;
  if (x) x.max = xMax();
  const c = colors();
  for (const s of Object.values(chart.options.scales ?? {})) {
    if (!s) continue;
    (s as { ticks?: { color?: string } }).ticks = { ...(s as { ticks?: object }).ticks, color: c.fg };
  }
  chart.update();
}

function persist() {
  vscode.setState({ title: heading.textContent, points, status: status.textContent });
}

window.addEventListener('message', (ev: MessageEvent<ToTrainingView>) => {
  const m = ev.data;
  if (m.type === 'init') heading.textContent = m.title;
  else if (m.type === 'point') {
    points.push(m.point);
    const p = m.point;
    status.textContent = `stage ${p.stage ?? 1} · epoch ${p.epoch ?? '?'}/${p.epochs ?? '?'}${p.steps ? ` · step ${p.step ?? 0}/${p.steps}` : ''}${p.loss !== undefined ? ` · loss ${p.loss.toFixed(4)}` : ''}${p.acc !== undefined ? ` · accuracy ${(p.acc * 100).toFixed(2)}%` : ''}`;
    redraw();
  } else if (m.type === 'finished') {
    status.textContent = m.cancelled ? 'cancelled' : m.ok ? `finished · ${status.textContent}` : 'failed';
  }
  persist();
});

// Theme switches change the body class; canvas colors must be re-read then.
new MutationObserver(redraw).observe(document.body, { attributes: true, attributeFilter: ['class'] });
vscode.postMessage({ type: 'ready' });
