/**
 * Hostile `.tnn` files: byte mutations (flips, cuts, insertions, header-length
 * edits), semantic mutations of the graph JSON (shapes, attributes, wiring,
 * weights) re-stamped with valid checksums so they reach the semantic checks,
 * and JSON amplification headers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { joinFile, restamp, splitFile } from '../../format/helpers';
import type { HostileCase } from '../harness/cli-runner';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- surgery on untyped graph JSON
type Graph = { inputs: { name: string; shape: number[] }[]; outputs: string[]; layers: Record<string, any>[] };

/** inspect and the packed engine always; the reference executor (another code path) for the named semantic cases. */
const commands = (f: string, reference = false): string[][] => [
  ['inspect', f],
  ['run', f, '--input', 'random:1'],
  ...(reference ? [['run', f, '--input', 'random:1', '--engine', 'reference', '--trace']] : []),
];

/** Applies `edit` to the graph JSON and re-stamps both checksums. */
function editGraph(base: Uint8Array, edit: (g: Graph) => void): Uint8Array {
  const f = splitFile(base);
  const g = JSON.parse(f.header.__metadata__.graph) as Graph;
  edit(g);
  f.header.__metadata__.graph = JSON.stringify(g);
  restamp(f);
  return joinFile(f.header, f.data);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- surgery on untyped graph JSON
const layer = (g: Graph, name: string): Record<string, any> => {
  const l = g.layers.find((x) => x.name === name);
  if (!l) throw new Error(`no layer ${name}`);
  return l;
};

/** Named semantic mutations of the tiny CNN (conv1 → relu1 → conv2 → relu2 → flatten → fc1 → relu3 → fc2). */
export const GRAPH_MUTATIONS: { name: string; awaits?: string; edit: (g: Graph) => void }[] = [
  // Shapes
  { name: 'input [1, 2^20, 2^20]', edit: (g) => { g.inputs[0].shape = [1, 2 ** 20, 2 ** 20]; } },
  { name: 'input [1, 28000, 28000]', edit: (g) => { g.inputs[0].shape = [1, 28000, 28000]; } },
  { name: 'input [1, 8000, 8000] (each tensor under the reader cap, activations not)', awaits: 'op-table (element caps in shape inference)', edit: (g) => { g.inputs[0].shape = [1, 8000, 8000]; } },
  { name: 'input [0, 8, 8]', awaits: 'op-table (shape inference at load)', edit: (g) => { g.inputs[0].shape = [0, 8, 8]; } },
  { name: 'input rank 2 [8, 8] into conv2d', awaits: 'op-table (shape inference at load)', edit: (g) => { g.inputs[0].shape = [8, 8]; } },
  { name: 'input [3, 8, 8] (channels ≠ conv1 weights)', awaits: 'op-table (shape inference at load)', edit: (g) => { g.inputs[0].shape = [3, 8, 8]; } },
  { name: 'input shape [-1, 8, 8]', edit: (g) => { g.inputs[0].shape = [-1, 8, 8]; } },
  { name: 'input shape [1.5, 8, 8]', edit: (g) => { g.inputs[0].shape = [1.5, 8, 8]; } },
  // Attributes
  { name: 'conv1 strides [0, 0]', awaits: 'op-table (attribute validation)', edit: (g) => { layer(g, 'conv1').attrs.strides = [0, 0]; } },
  { name: 'conv1 strides [1.5, 1]', awaits: 'op-table (attribute validation)', edit: (g) => { layer(g, 'conv1').attrs.strides = [1.5, 1]; } },
  { name: 'conv1 strides [-1, 1]', awaits: 'op-table (attribute validation)', edit: (g) => { layer(g, 'conv1').attrs.strides = [-1, 1]; } },
  { name: 'conv1 pads [1e9, …]', awaits: 'op-table (attribute validation, element caps)', edit: (g) => { layer(g, 'conv1').attrs.pads = [1e9, 1e9, 1e9, 1e9]; } },
  { name: 'conv1 pads [6000, …]', awaits: 'op-table (element caps before allocation)', edit: (g) => { layer(g, 'conv1').attrs.pads = [6000, 6000, 6000, 6000]; } },
  { name: 'conv1 pads [-1, …]', awaits: 'op-table (attribute validation)', edit: (g) => { layer(g, 'conv1').attrs.pads = [-1, -1, -1, -1]; } },
  { name: 'conv1 dilations [0, 0]', awaits: 'op-table (attribute validation)', edit: (g) => { layer(g, 'conv1').attrs.dilations = [0, 0]; } },
  { name: 'conv1 group 0', awaits: 'op-table (attribute validation)', edit: (g) => { layer(g, 'conv1').attrs.group = 0; } },
  { name: 'conv2 group 3 (does not divide 4 channels)', awaits: 'op-table (attribute validation)', edit: (g) => { layer(g, 'conv2').attrs.group = 3; } },
  { name: 'conv1 strides a string', awaits: 'op-table (attribute validation)', edit: (g) => { layer(g, 'conv1').attrs.strides = 'abc'; } },
  { name: 'flatten axis 7', awaits: 'op-table (attribute validation)', edit: (g) => { layer(g, 'flatten').attrs.axis = 7; } },
  // Wiring
  { name: 'conv2 reads an undefined value', edit: (g) => { layer(g, 'conv2').inputs = ['nowhere']; } },
  { name: 'conv1 reads its own output (cycle)', edit: (g) => { layer(g, 'conv1').inputs = ['c1']; } },
  { name: 'relu1 reads a later layer’s output', edit: (g) => { layer(g, 'relu1').inputs = ['d1']; } },
  { name: 'two layers produce the same value', edit: (g) => { layer(g, 'relu2').outputs = ['r1']; } },
  { name: 'graph output not produced', edit: (g) => { g.outputs = ['missing']; } },
  { name: 'flatten removed (fc1 reads a deleted value)', edit: (g) => { g.layers = g.layers.filter((l) => l.name !== 'flatten'); } },
  { name: 'layers reversed', edit: (g) => { g.layers.reverse(); } },
  { name: 'duplicate layer names', edit: (g) => { layer(g, 'relu2').name = 'relu1'; } },
  { name: 'flatten bypassed (fc1 reads the 4-D conv output)', awaits: 'op-table (shape inference at load)', edit: (g) => { layer(g, 'fc1').inputs = ['r2']; } },
  { name: 'relu1 → add with one input', awaits: 'op-table (arity checks)', edit: (g) => { layer(g, 'relu1').op = 'add'; } },
  // Ops and weights
  { name: 'unknown op', edit: (g) => { layer(g, 'relu1').op = 'frobnicate'; } },
  { name: 'conv2 turned into dense', awaits: 'op-table (shape inference at load)', edit: (g) => { layer(g, 'conv2').op = 'dense'; } },
  { name: 'conv1 weight role → fc2 weights (wrong shape)', awaits: 'op-table (weight shapes checked at load)', edit: (g) => { layer(g, 'conv1').weights.weight = 'fc2.weight'; } },
  { name: 'fc1 bias → conv1 bias (wrong length)', awaits: 'op-table (weight shapes checked at load)', edit: (g) => { layer(g, 'fc1').weights.bias = 'conv1.bias'; } },
  { name: 'weight names a missing tensor', edit: (g) => { layer(g, 'conv1').weights.weight = 'nope'; } },
  { name: 'weightQuant scale negative', edit: (g) => { const l = g.layers.find((x) => x.weightQuant); l!.weightQuant.scale.pos = -1; } },
  { name: 'weightQuant trits names a float tensor', edit: (g) => { const l = g.layers.find((x) => x.weightQuant); l!.weightQuant.trits = 'conv1.weight'; } },
  { name: 'attrs nested object', edit: (g) => { layer(g, 'conv1').attrs.strides = { a: 1 }; } },
];

const REPLACEMENTS: unknown[] = [null, -1, 0, 1.5, 2 ** 31, 1e12, '', 'x', true, [], {}, [0], [-1], [1e9, 1e9], [0, 0], [1, 2, 3, 4, 5, 6]];

/** Every [container, key] inside a JSON value. */
function slots(v: unknown, out: [Record<string, unknown> | unknown[], string | number][] = []) {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push([v, i]); slots(x, out); });
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push([v as Record<string, unknown>, k]); slots(x, out); }
  return out;
}

/** Writes each case's bytes to `dir` and builds the case (inspect, run packed, run reference --trace). */
function collector(dir: string, reader: string) {
  const cases: HostileCase[] = [];
  const add = (name: string, bytes: Uint8Array, expect: HostileCase['expect'], awaits?: string): void => {
    // One folder per case: cases run two at a time, and each checks that its folder is unchanged afterwards.
    const caseDir = path.join(dir, String(cases.length));
    mkdirSync(caseDir, { recursive: true });
    const f = path.join(caseDir, `${reader}-${cases.length}.tnn`);
    writeFileSync(f, bytes);
    cases.push({ reader, name, inputs: [f], dir: caseDir, commands: commands(f, reader === 'tnn-graph' && expect === 'reject'), expect, ...(awaits ? { awaits } : {}) });
  };
  return { cases, add };
}

/** Byte mutations: a deterministic sample of each kind (format/fuzz.test.ts runs thousands in-process). */
export function tnnByteCases(dir: string, base: Uint8Array, rand: () => number, scale: number): HostileCase[] {
  const pick = (n: number) => Math.floor(rand() * n);
  const { cases, add } = collector(dir, 'tnn-bytes');
  for (let i = 0; i < 6 * scale; i++) {
    const out = base.slice();
    out[pick(out.length)] ^= 1 + pick(255);
    add(`byte flip ${i}`, out, 'either');
  }
  for (let i = 0; i < 3 * scale; i++) add(`truncated ${i}`, base.subarray(0, pick(base.length)), 'reject');
  for (let i = 0; i < 3 * scale; i++) {
    const at = pick(base.length);
    add(`inserted byte ${i}`, Buffer.concat([base.subarray(0, at), Uint8Array.of(pick(256)), base.subarray(at)]), 'reject');
  }
  const bigLength = base.slice();
  new DataView(bigLength.buffer).setUint32(0, 0xfffffff0, true);
  add('header length 4 GB', bigLength, 'reject');
  const data = splitFile(base);
  data.data[pick(data.data.length)] ^= 0x10;
  add('data byte flipped (checksum not updated)', joinFile(data.header, data.data), 'reject');
  add('empty file', new Uint8Array(0), 'reject');
  add('an ONNX file renamed .tnn', Buffer.from('\x08\x07\x12\x04test'), 'reject');
  return cases;
}

/** Semantic mutations: each named one, then random slot replacements in the graph JSON. */
export function tnnGraphCases(dir: string, base: Uint8Array, rand: () => number, scale: number): HostileCase[] {
  const pick = (n: number) => Math.floor(rand() * n);
  const { cases, add } = collector(dir, 'tnn-graph');
  for (const m of GRAPH_MUTATIONS) add(m.name, editGraph(base, m.edit), 'reject', m.awaits);
  for (let i = 0; i < 8 * scale; i++) {
    let label = '';
    const bytes = editGraph(base, (g) => {
      const all = slots(g);
      const [container, key] = all[pick(all.length)];
      const value = REPLACEMENTS[pick(REPLACEMENTS.length)];
      label = `graph…${String(key)} := ${JSON.stringify(value)}`;
      (container as Record<string, unknown>)[key as string] = value;
    });
    add(`random semantic ${i}: ${label}`, bytes, 'either');
  }
  return cases;
}

/** A `.tnn` whose header is the raw `text` (length prefix, no data): JSON the scan must refuse before parsing. */
export function rawHeader(text: string): Buffer {
  const body = Buffer.from(text);
  const out = Buffer.alloc(8 + body.length);
  out.writeUInt32LE(body.length, 0);
  body.copy(out, 8);
  return out;
}

/** JSON amplification: many entries, deep nesting (header and metadata). */
export function tnnJsonCases(dir: string, base: Uint8Array): HostileCase[] {
  const { cases, add } = collector(dir, 'tnn-json');
  const many = ['{"__metadata__":{"format":"tnn"}'];
  for (let i = 0; i < 1_300_000; i++) many.push(`,"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);
  add('header of 1.3 M zero-size tensors (79 MB)', rawHeader(many.join('') + '}'), 'reject');
  add('shape nested 5 M levels', rawHeader(`{"t":{"dtype":"F32","shape":${'['.repeat(5_000_000)}${']'.repeat(5_000_000)},"data_offsets":[0,0]}}`), 'reject');
  const f = splitFile(base);
  f.header.__metadata__.graph = '['.repeat(20_000_000);
  restamp(f);
  add('graph string of 20 M brackets', joinFile(f.header, f.data), 'reject');
  return cases;
}
