import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adjacency, buildGraph } from '../../../webview/graph/graphModel';
import { layoutGraph } from '../../../webview/graph/layout';
import { nextNode, type NavContext } from '../../../webview/graph/navigation';
import { residualRows } from './rows';

function ctx(direction: 'TB' | 'LR'): { nav: NavContext; id: (name: string) => string } {
  const g = buildGraph(residualRows(), ['input'], ['fc:0']);
  const l = layoutGraph(g, direction);
  const { succ, pred } = adjacency(g);
  return { nav: { boxes: new Map(l.nodes.map((b) => [b.id, b])), succ, pred, direction, order: g.nodes.map((n) => n.id) }, id: (n) => g.byName.get(n)! };
}

function walk(nav: NavContext, start: string | null, keys: string[]): Array<string | null> {
  const out: Array<string | null> = [];
  let cur = start;
  for (const k of keys) {
    const n = nextNode(cur, k, nav);
    out.push(n);
    if (n) cur = n;
  }
  return out;
}

test('↓ follows edges from the input to the output, staying on the nearer branch at a fork', () => {
  const { nav, id } = ctx('TB');
  const path = walk(nav, null, Array(9).fill('ArrowDown'));
  assert.equal(path[0], 'in:input', 'nothing focused: start at the first node');
  assert.deepEqual(path.slice(1, 3), [id('conv1'), id('relu1')]);
  // at relu1 both conv2 (main) and add (skip) are successors; dagre puts one straight below: ↓ takes it
  const fork = nav.succ.get(id('relu1'))!;
  assert.ok(fork.includes(path[3]!), 'a successor of the fork');
  const onward = walk(nav, id('bn2'), ['ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowDown']);
  assert.deepEqual(onward, [id('add'), id('fc'), 'out:fc:0', null], 'the sink has nowhere further to go');
});

test('↑ walks predecessors back; at a join it picks the nearer branch, ←/→ reach the other one', () => {
  const { nav, id } = ctx('TB');
  const up = nextNode(id('add'), 'ArrowUp', nav)!;
  assert.ok([id('bn2'), id('relu1')].includes(up));
  assert.equal(nextNode('in:input', 'ArrowUp', nav), null);
  // From conv2 (on the main path), a sideways key finds a node of the same or nearest rank on that side, never itself.
  const c = nav.boxes.get(id('conv2'))!;
  for (const k of ['ArrowLeft', 'ArrowRight']) {
    const n = nextNode(id('conv2'), k, nav);
    if (n === null) continue;
    const b = nav.boxes.get(n)!;
    assert.ok(k === 'ArrowLeft' ? b.x + b.width / 2 < c.x + c.width / 2 : b.x + b.width / 2 > c.x + c.width / 2, `${k} goes ${k === 'ArrowLeft' ? 'left' : 'right'}`);
  }
});

test('Home/End jump to the graph ends; other keys do not navigate', () => {
  const { nav, id } = ctx('TB');
  assert.equal(nextNode(id('add'), 'Home', nav), 'in:input');
  assert.equal(nextNode(id('add'), 'End', nav), 'out:fc:0');
  assert.equal(nextNode(id('add'), 'a', nav), null);
  assert.equal(nextNode(id('add'), 'Enter', nav), null);
});

test('left-to-right layouts swap the axes: → follows edges, ↓ moves across', () => {
  const { nav, id } = ctx('LR');
  assert.equal(nextNode(id('conv1'), 'ArrowRight', nav), id('relu1'));
  assert.equal(nextNode(id('relu1'), 'ArrowLeft', nav), id('conv1'));
  assert.equal(nextNode(id('conv1'), 'ArrowDown', nav) === id('relu1'), false, '↓ is not an edge step in LR');
});

test('an empty graph never navigates', () => {
  assert.equal(nextNode(null, 'ArrowDown', { boxes: new Map(), succ: new Map(), pred: new Map(), direction: 'TB', order: [] }), null);
});
