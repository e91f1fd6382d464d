/**
 * Hostile ONNX files: absurd dims, data shorter than the dims claim, absurd
 * graph inputs, hostile attributes, broken protobuf, random bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { aInts, aTensor, f32, modelBytes, node, vi, type Obj } from '../../import/onnx-proto-builder';
import type { HostileCase } from '../harness/cli-runner';

/** x [N,1,8,8] → Conv(W [2,1,3,3]) → Flatten → Gemm(72 → 3); `edit` breaks one part. */
function graph(edit: (p: { w: Obj; input: Obj; conv: Obj; extra: Obj[] }) => void): Uint8Array {
  const p = {
    w: f32('W', [2, 1, 3, 3], Array.from({ length: 18 }, (_, i) => (i % 5) / 5 - 0.4)),
    input: vi('x', ['N', 1, 8, 8]),
    conv: node('Conv', ['x', 'W'], ['c'], [aInts('strides', [1, 1]), aInts('pads', [0, 0, 0, 0]), aInts('kernel_shape', [3, 3])], 'conv'),
    extra: [] as Obj[],
  };
  edit(p);
  return modelBytes({
    name: 'g',
    node: [...p.extra, p.conv, node('Flatten', ['c'], ['f'], [], 'flatten'), node('Gemm', ['f', 'G', 'B'], ['y'], [{ name: 'transB', type: 2, i: 1 }], 'fc')],
    initializer: [p.w, f32('G', [3, 72], new Array(216).fill(0.01)), f32('B', [3], [0, 0, 0])],
    input: [p.input],
    output: [vi('y', ['N', 3])],
  });
}

const MUTATIONS: { name: string; awaits?: string; edit: Parameters<typeof graph>[0] }[] = [
  { name: 'initializer dims [1e6, 1e6]', edit: (p) => { p.w.dims = [1e6, 1e6]; } },
  { name: 'initializer dims [1e12]', edit: (p) => { p.w.dims = [1e12]; } },
  { name: 'initializer dims negative', edit: (p) => { p.w.dims = [-2, 1, 3, 3]; } },
  { name: '16 bytes of raw_data claiming 2^26 floats', edit: (p) => { p.w = { name: 'W', dims: [2 ** 13, 2 ** 13], data_type: 1, raw_data: new Uint8Array(16) }; } },
  { name: 'float_data shorter than dims', edit: (p) => { p.w.float_data = [1, 2]; } },
  { name: 'Constant node with a 1e9-element tensor of 4 bytes', edit: (p) => { p.extra.push(node('Constant', [], ['k'], [aTensor('value', { name: 'k', dims: [1e9], data_type: 1, raw_data: new Uint8Array(4) })], 'const')); } },
  { name: 'graph input [1, 1e6, 1e6]', edit: (p) => { p.input = vi('x', ['N', 1, 1e6, 1e6]); } },
  { name: 'graph input [1, 1, 28000, 28000]', edit: (p) => { p.input = vi('x', [1, 1, 28000, 28000]); } },
  { name: 'graph input negative dim', edit: (p) => { p.input = vi('x', [1, 1, -8, 8]); } },
  { name: 'Conv strides [0, 0]', awaits: 'op-table (ONNX attribute validation)', edit: (p) => { p.conv.attribute = [aInts('strides', [0, 0]), aInts('kernel_shape', [3, 3])]; } },
  { name: 'Conv pads [1e9, …]', awaits: 'op-table (ONNX attribute validation)', edit: (p) => { p.conv.attribute = [aInts('pads', [1e9, 1e9, 1e9, 1e9]), aInts('kernel_shape', [3, 3])]; } },
  { name: 'Conv dilations [0, 0]', awaits: 'op-table (ONNX attribute validation)', edit: (p) => { p.conv.attribute = [aInts('dilations', [0, 0]), aInts('kernel_shape', [3, 3])]; } },
  { name: 'Conv kernel_shape disagrees with W', awaits: 'op-table (ONNX attribute validation)', edit: (p) => { p.conv.attribute = [aInts('kernel_shape', [5, 5])]; } },
];

export function onnxCases(dir: string, base: Uint8Array, rand: () => number, scale: number): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (name: string, bytes: Uint8Array, expect: HostileCase['expect'], awaits?: string): void => {
    // One folder per case: cases run two at a time, and each checks that its folder is unchanged afterwards.
    const caseDir = path.join(dir, String(cases.length));
    mkdirSync(caseDir, { recursive: true });
    const f = path.join(caseDir, `onnx-${cases.length}.onnx`);
    writeFileSync(f, bytes);
    cases.push({
      reader: 'onnx', name, inputs: [f], dir: caseDir, expect, ...(awaits ? { awaits } : {}),
      commands: [['quantize', f, '-o', '{out}', '--method', 'twn'], ['run', f, '--input', 'random:1', '--engine', 'reference']],
    });
  };
  for (const m of MUTATIONS) add(m.name, graph(m.edit), 'reject', m.awaits);
  const pick = (n: number) => Math.floor(rand() * n);
  for (let i = 0; i < 4 * scale; i++) add(`truncated protobuf ${i}`, base.subarray(0, 1 + pick(base.length - 1)), 'either');
  for (let i = 0; i < 4 * scale; i++) {
    const out = base.slice();
    for (let k = 0; k < 4; k++) out[pick(out.length)] ^= 1 + pick(255);
    add(`byte flips ${i}`, out, 'either');
  }
  add('random bytes', Uint8Array.from({ length: 4096 }, () => pick(256)), 'reject');
  // A length-delimited field claiming 2 GB: protobuf must not allocate it.
  add('field length 2^31', Uint8Array.from([0x3a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00]), 'reject');
  return cases;
}
