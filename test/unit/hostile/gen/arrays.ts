/** Hostile .npy and IDX files, fed as `run --input` and as `eval --data` sets to the tiny model ([1, 8, 8]). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx, encodeNpy } from '../../../../src/core/data/index';
import type { HostileCase } from '../harness/cli-runner';
import { idxGzipBomb } from './bombs';

/** A .npy file with a hand-written header (`header` is the dict text) and `body` bytes. */
function npy(header: string, body: Uint8Array | number = 0, major = 1): Buffer {
  const h = Buffer.from(header);
  const pre = Buffer.alloc(major === 1 ? 10 : 12);
  pre.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  if (major === 1) pre.writeUInt16LE(h.length, 8);
  else pre.writeUInt32LE(h.length, 8);
  return Buffer.concat([pre, h, typeof body === 'number' ? Buffer.alloc(body) : Buffer.from(body)]);
}

const NPY: [string, () => Buffer][] = [
  ['header of 60 KB garbage', () => npy(`{'descr': '<f4', ${'x'.repeat(60_000)}}`)],
  ['v2 header length 4 GB', () => { const b = npy("{'descr': '<f4'}", 0, 2); b.writeUInt32LE(0xfffffff0, 8); return b; }],
  ['shape (1e15,)', () => npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000000,), }", 64)],
  ['shape (-1, 8, 8)', () => npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 8, 8), }", 64)],
  ['dtype <f8', () => npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 8, 8), }", 512)],
  ['Fortran order', () => npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 8, 8), }", 256)],
  ['data shorter than the shape', () => npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 8, 8), }", 100)],
  ['not npy at all', () => Buffer.from('hello, world')],
  ['escape codes in the header', () => npy(`{'descr': '\u001b[2J\u001b]0;pwned\u0007'}`)],
];

export function arrayCases(root: string, model: string): HostileCase[] {
  const cases: HostileCase[] = [];
  const goodY = encodeNpy({ dtype: '<i4', shape: [4], data: Int32Array.from([0, 1, 2, 3]) });
  const goodX = encodeNpy({ dtype: '<f4', shape: [4, 1, 8, 8], data: new Float32Array(256) });
  NPY.forEach(([name, make], i) => {
    const dir = path.join(root, `npy-${i}`);
    mkdirSync(dir, { recursive: true });
    const x = path.join(dir, 'x.npy'), y = path.join(dir, 'y.npy');
    writeFileSync(x, make());
    writeFileSync(y, goodY);
    cases.push({ reader: 'npy', name: `x: ${name}`, inputs: [x, y], dir, expect: 'reject', commands: [['run', model, '--input', x, '--engine', 'reference'], ['eval', model, '--data', `npy:${x},${y}`]] });
  });
  const labelCases: [string, Uint8Array][] = [
    ['labels float32', encodeNpy({ dtype: '<f4', shape: [4], data: new Float32Array(4) })],
    ['labels count ≠ samples', encodeNpy({ dtype: '<i4', shape: [3], data: new Int32Array(3) })],
    ['labels out of range', encodeNpy({ dtype: '<i8', shape: [4], data: Float64Array.from([0, 1, 2, 1e12]) })],
  ];
  labelCases.forEach(([name, bytes], i) => {
    const dir = path.join(root, `npy-y-${i}`);
    mkdirSync(dir, { recursive: true });
    const x = path.join(dir, 'x.npy'), y = path.join(dir, 'y.npy');
    writeFileSync(x, goodX);
    writeFileSync(y, bytes);
    cases.push({ reader: 'npy', name: `y: ${name}`, inputs: [x, y], dir, expect: 'reject', commands: [['eval', model, '--data', `npy:${x},${y}`]] });
  });
  {
    const dir = path.join(root, 'npy-fifo');
    mkdirSync(dir, { recursive: true });
    const x = path.join(dir, 'x.npy');
    execFileSync('mkfifo', [x]);
    cases.push({ reader: 'npy', name: 'x is a FIFO', inputs: [x], dir, expect: 'reject', commands: [['run', model, '--input', x, '--engine', 'reference'], ['eval', model, '--data', `npy:${x},${x}`]] });
  }

  const labels = gzipSync(encodeIdx([4], Uint8Array.from([0, 1, 2, 3])));
  const IDX: [string, () => Uint8Array, Uint8Array?, string[][]?][] = [
    // The 1 GiB bomb has honest dims: eval --limit 10 and #0 must succeed without inflating it.
    ['gzip bomb 1 GiB, honest dims', () => idxGzipBomb([2 ** 24, 8, 8], 1024), idxGzipBomb([2 ** 24], 16)],
    ['gzip longer than the header declares', () => idxGzipBomb([4, 8, 8], 512)],
    ['dims declare 2^40 bytes', () => gzipSync(encodeIdx([2 ** 20, 2 ** 10, 2 ** 10], new Uint8Array(0)))],
    ['bad magic', () => Uint8Array.from([1, 2, 8, 3, 0, 0, 0, 4])],
    ['element type int32', () => Uint8Array.from([0, 0, 0x0c, 3, 0, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0, 8])],
    ['truncated gzip', () => gzipSync(encodeIdx([4, 8, 8], Uint8Array.from({ length: 256 }, (_, i) => (i * 131) % 256))).subarray(0, 40)],
    ['corrupt gzip', () => { const g = gzipSync(encodeIdx([4, 8, 8], new Uint8Array(256))); g[12] ^= 0xff; return g; }],
    ['rank 2 images', () => gzipSync(encodeIdx([4, 64], new Uint8Array(256)))],
    ['5 images for 4 labels', () => gzipSync(encodeIdx([5, 8, 8], new Uint8Array(320)))],
  ];
  IDX.forEach(([name, make, lbl], i) => {
    const dir = path.join(root, `idx-${i}`);
    mkdirSync(dir, { recursive: true });
    const img = path.join(dir, 'images.idx.gz'), l = path.join(dir, 'labels.idx.gz');
    writeFileSync(img, make());
    writeFileSync(l, lbl ?? labels);
    const spec = `idx:${img},${l}`;
    const honest = name.includes('honest');
    cases.push({
      reader: 'idx', name, inputs: [img, l], dir, expect: honest ? 'either' : 'reject',
      commands: [['eval', model, '--data', spec, '--limit', '10'], ['run', model, '--input', `${spec}#0`, '--engine', 'reference']],
    });
  });
  return cases;
}
