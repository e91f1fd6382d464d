import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centreOn, clampZoom, fitView, initialView, MAX_ZOOM, minZoom, reveal, visibleRect, zoomAt } from '../../../webview/graph/viewport';

const vp = { width: 800, height: 600 };

test('fitView: whole graph inside, centred, never magnified', () => {
  const v = fitView({ width: 400, height: 12000 }, vp);
  assert.ok(400 * v.k <= 800 && 12000 * v.k <= 600 + 1e-9);
  assert.ok(Math.abs(v.y - (600 - 12000 * v.k) / 2) < 1e-9);
  assert.equal(fitView({ width: 100, height: 50 }, vp).k, 1);
});

test('initialView: a small graph is fitted; a deep one starts at its top, readable', () => {
  assert.deepEqual(initialView({ width: 300, height: 400 }, vp, 'TB'), fitView({ width: 300, height: 400 }, vp));
  const deep = initialView({ width: 400, height: 13000 }, vp, 'TB');
  assert.equal(deep.k, 1);
  assert.equal(deep.y, 16);
  const wide = initialView({ width: 13000, height: 400 }, vp, 'LR');
  assert.equal(wide.x, 16);
  assert.ok(wide.k >= 0.5);
});

test('zoomAt keeps the point under the cursor, clamped to [minZoom, MAX_ZOOM]', () => {
  const g = { width: 400, height: 4000 };
  const v0 = { x: 10, y: 20, k: 1 };
  const v1 = zoomAt(v0, 2, 300, 200, g, vp);
  const layoutPt = (v: typeof v0) => ({ x: (300 - v.x) / v.k, y: (200 - v.y) / v.k });
  assert.deepEqual(layoutPt(v1), layoutPt(v0));
  assert.equal(zoomAt(v0, 1e6, 0, 0, g, vp).k, MAX_ZOOM);
  assert.equal(zoomAt(v0, 1e-6, 0, 0, g, vp).k, minZoom(g, vp));
  assert.ok(minZoom(g, vp) < fitView(g, vp).k, 'fit is always reachable by zooming out');
  assert.equal(clampZoom(0.7, g, vp), 0.7);
});

test('reveal pans the least needed; visibleRect and centreOn agree', () => {
  const v = { x: 0, y: 0, k: 1 };
  assert.equal(reveal(v, { x: 100, y: 100, width: 50, height: 50 }, vp), v, 'already visible: unchanged');
  const r = reveal(v, { x: 100, y: 2000, width: 50, height: 50 }, vp);
  assert.equal(r.x, 0);
  assert.equal(2000 + 50 + r.y, 600 - 24, 'bottom edge lands at the margin');
  const c = centreOn({ x: 0, y: 0, k: 2 }, 500, 700, vp);
  const vis = visibleRect(c, vp);
  assert.equal(vis.x + vis.width / 2, 500);
  assert.equal(vis.y + vis.height / 2, 700);
});
