/**
 * Independent check of the preprocessing: torchvision's Resize + CenterCrop +
 * ToTensor + Normalize (PIL bilinear, Debian's python3-torchvision) on the
 * same PNG files must give what `--preprocess` gives. PIL rounds to 8 bits
 * between its two resampling passes, so values agree to about 1/255.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { imageToTensor, parsePreprocess } from '../../../src/core/data/index';
import { mulberry32 } from '../../../src/core/rng';

const PY = `
import json, sys
import torchvision.transforms as T
from PIL import Image
out = []
for f, resize, crop in json.loads(sys.argv[1]):
    t = T.Compose([T.Resize(resize), T.CenterCrop(crop), T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    out.append(t(Image.open(f).convert('RGB')).flatten().tolist())
print(json.dumps(out))
`;

function torchvisionAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import torchvision'], { stdio: 'ignore' }).status === 0;
}

test('resize (shorter side) + center crop + normalize match torchvision on PIL images', (t) => {
  if (!torchvisionAvailable()) {
    t.skip('/usr/bin/python3 with torchvision (Debian python3-torchvision) is not installed');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-tv-'));
  const rand = mulberry32(11);
  // Downscaling by ~1.6 (antialiased), upscaling by 2.5, and a tall image.
  const cases: [string, number, number, number, number][] = [['down.png', 50, 37, 32, 28], ['up.png', 16, 20, 40, 36], ['tall.png', 30, 90, 24, 20]];
  for (const [name, w, h] of cases) {
    const p = new PNG({ width: w, height: h });
    // Smooth-ish content plus noise, so both the filter shape and the offsets matter.
    for (let i = 0; i < w * h; i++) {
      const x = i % w, y = Math.floor(i / w);
      p.data.set([(x * 255) / w, (y * 255) / h, Math.floor(rand() * 256), 255], 4 * i);
    }
    writeFileSync(path.join(dir, name), PNG.sync.write(p));
  }
  const r = spawnSync('/usr/bin/python3', ['-c', PY, JSON.stringify(cases.map(([n, , , rs, c]) => [path.join(dir, n), rs, c]))], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const expected = JSON.parse(r.stdout) as number[][];
  cases.forEach(([name, , , resize, crop], k) => {
    const ours = imageToTensor(path.join(dir, name), [3, crop, crop], parsePreprocess(`imagenet,resize=${resize},crop=${crop}`)).data;
    assert.equal(ours.length, expected[k].length);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - expected[k][i]) * 0.229); // back to pixel units
    assert.ok(worst <= 2.5 / 255, `${name}: max difference ${(worst * 255).toFixed(2)}/255`);
    console.log(`${name}: max |ours − torchvision| = ${(worst * 255).toFixed(2)}/255 of a pixel`);
  });
});
