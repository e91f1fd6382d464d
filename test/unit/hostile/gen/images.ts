/**
 * Hostile PNG/JPEG inputs (`run --input`), image folders (`eval --data images:DIR`)
 * and CIFAR binary folders (`eval --data cifar10:DIR`), fed to the CIFAR-shaped model.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { HostileCase } from '../harness/cli-runner';
import { jpegBomb, pngBomb } from './bombs';

function png(w: number, h: number): Buffer {
  const p = new PNG({ width: w, height: h });
  p.data.fill(128);
  return PNG.sync.write(p);
}

const IMAGES: [string, string, () => Uint8Array][] = [
  ['PNG declaring 30000x30000 (valid CRCs, one row of data)', 'bomb.png', () => pngBomb(30000, 30000)],
  ['PNG declaring 8000x8000, every row present (192 MB of zeros in 190 KB)', 'full-bomb.png', () => pngBomb(8000, 8000, 8000)],
  ['JPEG declaring 60000x60000', 'bomb.jpg', () => jpegBomb(60000, 60000)],
  ['PNG cut in half', 'cut.png', () => { const b = pngBomb(64, 64, 64); return b.subarray(0, b.length >> 1); }],
  ['PNG with a corrupted IDAT', 'crc.png', () => { const b = Buffer.from(png(16, 16)); b[b.length - 20] ^= 0xff; return b; }],
  ['PNG with zero width', 'zero.png', () => { const b = Buffer.from(png(4, 4)); b.writeUInt32BE(0, 16); return b; }],
  ['JPEG cut after the header', 'cut.jpg', () => Buffer.from(jpeg.encode({ width: 16, height: 16, data: Buffer.alloc(1024, 90) }, 90).data).subarray(0, 300)],
  ['random bytes named .png', 'random.png', () => Uint8Array.from({ length: 2048 }, (_, i) => (i * 2654435761) >>> 24)],
  ['text named .jpg', 'text.jpg', () => Buffer.from('not an image')],
];

export function imageCases(root: string, model: string): HostileCase[] {
  return IMAGES.map(([name, file, make], i): HostileCase => {
    const dir = path.join(root, `image-${i}`);
    mkdirSync(dir, { recursive: true });
    const f = path.join(dir, file);
    writeFileSync(f, make());
    return { reader: 'png/jpeg', name, inputs: [f], dir, expect: 'reject', commands: [['run', model, '--input', f, '--engine', 'reference']] };
  });
}

/** Image folders: each case one class folder layout with a hostile entry. */
export function folderCases(root: string, model: string, secret: string): HostileCase[] {
  const layouts: [string, (dir: string) => void][] = [
    ['symlink to an image outside the folder', (d) => symlinkSync(secret, path.join(d, 'cat', 'leak.png'))],
    ['class folder symlinked outside', (d) => symlinkSync(path.dirname(secret), path.join(d, 'dog'))],
    ['FIFO named .png', (d) => execFileSync('mkfifo', [path.join(d, 'cat', 'pipe.png')])],
    ['PNG bomb inside a class folder', (d) => writeFileSync(path.join(d, 'cat', 'a-bomb.png'), pngBomb(30000, 30000))],
    // A folder that happens to end in .jpg is a subfolder, not an image: reading must simply go on.
    ['directory named .jpg (a valid subfolder)', (d) => mkdirSync(path.join(d, 'cat', 'dir.jpg'))],
    ['dangling symlink named .png', (d) => symlinkSync(path.join(d, 'nowhere.png'), path.join(d, 'cat', 'dangling.png'))],
    ['no class folders', (d) => execFileSync('rm', ['-r', path.join(d, 'cat')])],
    ['folders nested 20 deep', (d) => mkdirSync(path.join(d, 'cat', ...new Array(20).fill('n')), { recursive: true })],
  ];
  return layouts.map(([name, make], i): HostileCase => {
    const dir = path.join(root, `folder-${i}`);
    mkdirSync(path.join(dir, 'cat'), { recursive: true });
    writeFileSync(path.join(dir, 'cat', 'ok.png'), png(40, 30));
    make(dir);
    // Deep nesting only fails once an image sits at the bottom.
    if (name.startsWith('folders nested')) writeFileSync(path.join(dir, 'cat', ...new Array(20).fill('n'), 'x.png'), png(4, 4));
    return { reader: 'image folders', name, inputs: [secret], dir, expect: name.includes('(a valid') ? 'either' : 'reject', commands: [['eval', model, '--data', `images:${dir}`, '--limit', '5']] };
  });
}

/** CIFAR-10 binary folders with one broken file each. */
export function cifarCases(root: string, model: string, secret: string): HostileCase[] {
  const record = (label: number) => { const r = new Uint8Array(3073); r[0] = label; return r; };
  const layouts: [string, (dir: string) => void][] = [
    ['test_batch.bin missing', () => undefined],
    ['size not a whole number of records', (d) => writeFileSync(path.join(d, 'test_batch.bin'), new Uint8Array(3073 * 2 + 7))],
    ['label 200', (d) => writeFileSync(path.join(d, 'test_batch.bin'), Buffer.concat([record(1), record(200)]))],
    ['empty file', (d) => writeFileSync(path.join(d, 'test_batch.bin'), new Uint8Array(0))],
    ['test_batch.bin is a FIFO', (d) => execFileSync('mkfifo', [path.join(d, 'test_batch.bin')])],
    ['test_batch.bin symlinked outside', (d) => symlinkSync(secret, path.join(d, 'test_batch.bin'))],
    ['test_batch.bin symlinked to /dev/zero', (d) => symlinkSync('/dev/zero', path.join(d, 'test_batch.bin'))],
    ['batches.meta.txt with 3 names', (d) => { writeFileSync(path.join(d, 'test_batch.bin'), record(1)); writeFileSync(path.join(d, 'batches.meta.txt'), 'a\nb\nc\n'); }],
  ];
  return layouts.map(([name, make], i): HostileCase => {
    const dir = path.join(root, `cifar-${i}`);
    mkdirSync(dir, { recursive: true });
    make(dir);
    return {
      reader: 'cifar', name, inputs: [secret], dir, expect: 'reject',
      commands: [['eval', model, '--data', `cifar10:${dir}:test`, '--limit', '10'], ['run', model, '--input', `cifar10:${dir}#1`, '--engine', 'reference']],
    };
  });
}
