/**
 * Zoom and pan of the graph view as plain numbers (no DOM): a view maps layout
 * coordinates to screen pixels as screen = layout · k + (x, y).
 */
export interface View {
  x: number;
  y: number;
  k: number;
}

export interface Size {
  width: number;
  height: number;
}

export const MAX_ZOOM = 4;
const PAD = 16;

/** Smallest zoom allowed: half of what fits the whole graph, so "fit" is always reachable. */
export function minZoom(graph: Size, viewport: Size): number {
  return Math.min(0.5, fitView(graph, viewport).k / 2);
}

export function clampZoom(k: number, graph: Size, viewport: Size): number {
  return Math.max(minZoom(graph, viewport), Math.min(MAX_ZOOM, k));
}

/** The whole graph centred in the viewport, never magnified beyond 1. */
export function fitView(graph: Size, viewport: Size): View {
  const w = Math.max(1, graph.width), h = Math.max(1, graph.height);
  const k = Math.max(1e-3, Math.min(1, (viewport.width - 2 * PAD) / w, (viewport.height - 2 * PAD) / h));
  return { k, x: (viewport.width - w * k) / 2, y: (viewport.height - h * k) / 2 };
}

/**
 * The first view of a graph: the whole graph when it is still readable at that
 * zoom (≥ 0.5), else its start at a readable zoom — a deep network fitted whole
 * would be a column of specks. The minimap shows the rest.
 */
export function initialView(graph: Size, viewport: Size, direction: 'TB' | 'LR'): View {
  const fit = fitView(graph, viewport);
  if (fit.k >= 0.5) return fit;
  if (direction === 'TB') {
    const k = Math.max(0.5, Math.min(1, (viewport.width - 2 * PAD) / Math.max(1, graph.width)));
    return { k, x: Math.max(PAD, (viewport.width - graph.width * k) / 2), y: PAD };
  }
  const k = Math.max(0.5, Math.min(1, (viewport.height - 2 * PAD) / Math.max(1, graph.height)));
  return { k, x: PAD, y: Math.max(PAD, (viewport.height - graph.height * k) / 2) };
}

/** Zoom by `factor` keeping the screen point (px, py) over the same layout point. */
export function zoomAt(v: View, factor: number, px: number, py: number, graph: Size, viewport: Size): View {
  const k = clampZoom(v.k * factor, graph, viewport);
  const f = k / v.k;
  return { k, x: px - (px - v.x) * f, y: py - (py - v.y) * f };
}

/** Pans (no zoom change) just enough that the layout rectangle is inside the viewport with a margin. */
export function reveal(v: View, box: { x: number; y: number; width: number; height: number }, viewport: Size, margin = 24): View {
  const sx0 = box.x * v.k + v.x, sy0 = box.y * v.k + v.y;
  const sx1 = sx0 + box.width * v.k, sy1 = sy0 + box.height * v.k;
  let dx = 0, dy = 0;
  if (sx0 < margin) dx = margin - sx0;
  else if (sx1 > viewport.width - margin) dx = viewport.width - margin - sx1;
  if (sy0 < margin) dy = margin - sy0;
  else if (sy1 > viewport.height - margin) dy = viewport.height - margin - sy1;
  return dx || dy ? { ...v, x: v.x + dx, y: v.y + dy } : v;
}

/** The visible part of the layout, in layout coordinates (the minimap's frame). */
export function visibleRect(v: View, viewport: Size): { x: number; y: number; width: number; height: number } {
  return { x: -v.x / v.k, y: -v.y / v.k, width: viewport.width / v.k, height: viewport.height / v.k };
}

/** A view with the layout point (lx, ly) at the viewport's centre (minimap clicks). */
export function centreOn(v: View, lx: number, ly: number, viewport: Size): View {
  return { ...v, x: viewport.width / 2 - lx * v.k, y: viewport.height / 2 - ly * v.k };
}
