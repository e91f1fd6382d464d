/**
 * Issue #15 defect 3: decompression bombs. A gzip IDX file is inflated no
 * further than its header's dims and the samples asked for; a PNG/JPEG is
 * refused from its header when it declares too many pixels.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeImageFile, encodeIdx, openDataset, parseInputSpec, readIdx, readIdxPrefix } from '../../../src/core/data/index';
import { DataError } from '../../../src/core/errors';
import { mulberry32 } from '../../../src/core/rng';
import { idxGzipBomb, jpegBomb, pngBomb } from './gen/bombs';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-bombs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const MiB = 2 ** 20;
const noise = (n: number): Uint8Array => {
  const r = mulberry32(3);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
};

/** Runs `fn` and returns how much the resident set grew (MiB), to show nothing big was inflated. */
async function growth(fn: () => unknown): Promise<number> {
  const before = process.memoryUsage().rss;
  await fn();
  return (process.memoryUsage().rss - before) / MiB;
}

test('a 1 GiB gzip IDX bomb with honest dims: --limit 10 and #0 inflate ten items and one, not the gigabyte', async () => {
  // [2^24, 8, 8] = 1 GiB of pixels, stored in about 1 MB.
  const images = path.join(dir, 'images.idx.gz');
  const bomb = idxGzipBomb([2 ** 24, 8, 8], 1024);
  assert.ok(bomb.length < 2 * MiB, `${bomb.length} bytes`);
  writeFileSync(images, bomb);
  const labels = path.join(dir, 'labels.idx.gz');
  writeFileSync(labels, idxGzipBomb([2 ** 24], 16));
  let got = 0;
  const grew = await growth(async () => {
    const prefix = await readIdxPrefix(images, 10);
    got = prefix.items;
    assert.equal(prefix.data.length, 10 * 64);
  });
  assert.equal(got, 10);
  assert.ok(grew < 64, `RSS grew ${grew.toFixed(0)} MiB`);
  const ds = await openDataset(`idx:${images},${labels}`, { limit: 10 });
  assert.equal(ds.n, 10);
  const x = await parseInputSpec(`idx:${images},${labels}#0`, [1, 8, 8]);
  assert.deepEqual(x.shape, [1, 1, 8, 8]);
});

test('gzip data longer than the header declares is stopped at the declared size (sync and streaming)', async () => {
  const file = path.join(dir, 'liar.idx.gz');
  writeFileSync(file, idxGzipBomb([10, 8, 8], 256)); // declares 640 bytes, inflates to 256 MiB
  const liar = /liar\.idx\.gz: gzip data inflates beyond the 656 bytes its IDX header declares; stopped there/;
  assert.ok((await growth(() => assert.throws(() => readIdx(file), (e: unknown) => e instanceof DataError && liar.test(e.message)))) < 64);
  assert.ok((await growth(() => assert.rejects(readIdxPrefix(file), (e: unknown) => e instanceof DataError && liar.test(e.message)))) < 64);
  // An honest file still reads whole, both ways.
  const ok = path.join(dir, 'ok.idx.gz');
  writeFileSync(ok, gzipSync(encodeIdx([3, 2, 2], new Uint8Array(12).fill(7))));
  assert.deepEqual(readIdx(ok).dims, [3, 2, 2]);
  assert.equal((await readIdxPrefix(ok)).data.length, 12);
  // Truncated streams and corrupt gzip name the file.
  writeFileSync(path.join(dir, 'cut.idx.gz'), gzipSync(encodeIdx([30, 20, 20], noise(12000))).subarray(0, 400));
  await assert.rejects(readIdxPrefix(path.join(dir, 'cut.idx.gz')), (e: unknown) => e instanceof DataError && /cut\.idx\.gz: (gzip|IDX)/.test(e.message));
});

test('PNG and JPEG headers declaring too many pixels are refused before decoding', async () => {
  const png = path.join(dir, 'bomb.png');
  writeFileSync(png, pngBomb(30000, 30000));
  const jpg = path.join(dir, 'bomb.jpg');
  writeFileSync(jpg, jpegBomb(60000, 60000));
  for (const [file, format, w, h] of [[png, 'PNG', 30000, 30000], [jpg, 'JPEG', 60000, 60000]] as const) {
    const grew = await growth(() => assert.throws(() => decodeImageFile(file), (e: unknown) => e instanceof DataError && e.message.startsWith(`${file}: ${format} header: ${w}x${h} is ${w * h} pixels, over the`)));
    assert.ok(grew < 64, `${format}: RSS grew ${grew.toFixed(0)} MiB`);
    await assert.rejects(parseInputSpec(file, [3, 32, 32]), /over the 40000000-pixel cap/);
  }
  // A PNG cut off mid-file is refused (pngjs would pad it with zeros and return a partly blank image).
  const cut = path.join(dir, 'cut.png');
  writeFileSync(cut, pngBomb(64, 64, 64).subarray(0, 60));
  assert.throws(() => decodeImageFile(cut), (e: unknown) => e instanceof DataError && /cut\.png: PNG is truncated: .* without an IEND chunk/.test(e.message));
  // Under the cap, a PNG whose data stops early either decodes (pngjs pads) or is an error naming the file: never a crash.
  const short = path.join(dir, 'short.png');
  writeFileSync(short, pngBomb(2000, 2000, 1));
  try {
    assert.equal(decodeImageFile(short).width, 2000);
  } catch (e) {
    assert.ok(e instanceof DataError && e.message.startsWith(`${short}: PNG decode failed`), String(e));
  }
});
