/**
 * Keyboard navigation of the graph view. Pure (no DOM).
 *
 * Along the flow direction (↓ in a top-to-bottom layout, → in left-to-right)
 * the focus follows an edge to a successor, against it to a predecessor; when
 * a node has several, the one closest on the cross axis wins, so ↓ stays on the
 * main chain and ←/→ step over to a parallel branch (a residual shortcut).
 * Across the flow, the nearest node on that side wins, preferring the same rank.
 */
import type { Direction, NodeBox } from './layout';

export interface NavContext {
  boxes: ReadonlyMap<string, NodeBox>;
  succ: ReadonlyMap<string, readonly string[]>;
  pred: ReadonlyMap<string, readonly string[]>;
  direction: Direction;
  /** Node ids in graph (topological) order: Home/End and the start when nothing has focus. */
  order: readonly string[];
}

const centre = (b: NodeBox) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });

type Move = 'forward' | 'back' | 'before' | 'after';

function moveOf(key: string, direction: Direction): Move | null {
  const tb = direction === 'TB';
  switch (key) {
    case 'ArrowDown': return tb ? 'forward' : 'after';
    case 'ArrowUp': return tb ? 'back' : 'before';
    case 'ArrowRight': return tb ? 'after' : 'forward';
    case 'ArrowLeft': return tb ? 'before' : 'back';
    default: return null;
  }
}

/** The id focus moves to on `key`, or null when the key does not navigate (or there is nowhere to go). */
export function nextNode(current: string | null, key: string, ctx: NavContext): string | null {
  if (!ctx.order.length) return null;
  if (key === 'Home') return ctx.order[0];
  if (key === 'End') return ctx.order[ctx.order.length - 1];
  const move = moveOf(key, ctx.direction);
  if (!move) return null;
  const cur = current ? ctx.boxes.get(current) : undefined;
  if (!current || !cur) return ctx.order[0];
  const c = centre(cur);
  // flow axis ("along") and cross axis ("across") in layout coordinates
  const along = (p: { x: number; y: number }) => (ctx.direction === 'TB' ? p.y : p.x);
  const across = (p: { x: number; y: number }) => (ctx.direction === 'TB' ? p.x : p.y);

  if (move === 'forward' || move === 'back') {
    const ids = (move === 'forward' ? ctx.succ : ctx.pred).get(current) ?? [];
    let best: string | null = null, bestD = Infinity;
    for (const id of ids) {
      const b = ctx.boxes.get(id);
      if (!b) continue;
      const d = Math.abs(across(centre(b)) - across(c));
      if (d < bestD - 1e-9) { best = id; bestD = d; }
    }
    return best;
  }

  const sign = move === 'after' ? 1 : -1;
  const rank = ctx.direction === 'TB' ? cur.height : cur.width;
  let best: string | null = null, bestScore = Infinity;
  for (const [id, b] of ctx.boxes) {
    if (id === current) continue;
    const p = centre(b);
    const dx = (across(p) - across(c)) * sign;
    if (dx <= 1) continue;
    const dy = Math.abs(along(p) - along(c));
    // the same rank first; otherwise the nearest by a distance that weighs rank distance 3×
    const score = (dy < rank / 2 ? 0 : 1e6) + dy * 3 + dx;
    if (score < bestScore) { best = id; bestScore = score; }
  }
  return best;
}
