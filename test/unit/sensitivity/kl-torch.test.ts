/**
 * Independent check of the sweep's KL: PyTorch's F.kl_div (Debian's python3-torch), in float64 with
 * log-softmax targets, on the same logits — including confident rows whose float32 softmax underflows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mulberry32 } from '../../../src/core/rng';
import { klSum, logSoftmaxRows } from '../../../src/core/sensitivity/metrics';

const PY = `
import json, sys, torch
import torch.nn.functional as F
p, q, n, c = json.loads(sys.stdin.read())
lp = F.log_softmax(torch.tensor(p, dtype=torch.float32).double().reshape(n, c), dim=1)
lq = F.log_softmax(torch.tensor(q, dtype=torch.float32).double().reshape(n, c), dim=1)
print(json.dumps(F.kl_div(lq, lp, reduction='batchmean', log_target=True).item()))
`;

test('mean KL(float ‖ config) equals torch.nn.functional.kl_div (batchmean, log targets)', (t) => {
  if (spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) {
    t.skip('/usr/bin/python3 with torch (Debian python3-torch) is not installed');
    return;
  }
  const r = mulberry32(9);
  const n = 40, c = 10;
  const p = new Float32Array(n * c), q = new Float32Array(n * c);
  for (let i = 0; i < n * c; i++) {
    // Every fourth row is confident (logit gaps of ~100: exp underflows in float32).
    const scale = Math.floor(i / c) % 4 === 0 ? 60 : 3;
    p[i] = scale * (2 * r() - 1);
    q[i] = p[i] + (2 * r() - 1) * (scale / 3);
  }
  const ours = klSum(logSoftmaxRows(p, n, c), logSoftmaxRows(q, n, c), n, c) / n;
  const py = spawnSync('/usr/bin/python3', ['-c', PY], { input: JSON.stringify([Array.from(p), Array.from(q), n, c]), encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const theirs = JSON.parse(py.stdout) as number;
  assert.ok(theirs > 0.1, `a KL that can fail: ${theirs}`);
  assert.ok(Math.abs(ours - theirs) <= 1e-9 * theirs, `ours ${ours} vs torch ${theirs}`);
});
