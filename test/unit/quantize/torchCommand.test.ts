import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validateJob, type QuantizeJob } from '../../../src/extension/quantize/jobArgs';
import {
  checkTorchJob, isFactorySpec, pendingAssembly, pythonArgv, resolveModelSpec, shellQuote, substituteLauncher, torchLaunch,
  trainerArgs, type TorchContext,
} from '../../../src/extension/quantize/torchCommand';

const job = (over: Record<string, unknown> = {}): QuantizeJob =>
  validateJob({ model: '/w/m.onnx', output: '/w/m.qat.tnn', qat: true, data: 'fashion-mnist:train', backend: 'pytorch', ...over });

const ctx = (cwd: string): TorchContext => ({ packageDir: '/ext/python', cliPath: '/ext/dist/cli.js', nodePath: '/usr/bin/node', cwd, workspaceFolder: cwd });

test('trainerArgs: the tritscope_torch.train call, global batch split over the processes', () => {
  const a = trainerArgs(job({ epochs: 3, kd: true, twoStage: true, lambda: 0.9, batch: 64, limit: 512, seed: 2, weights: '/w/f.pt', resume: true }), 2);
  assert.deepEqual(a, ['--model', '/w/m.onnx', '--data', 'fashion-mnist:train', '--method', 'asym-uniform', '--activations', 'ternary', '-o', '/w/m.qat.tnn',
    '--progress', 'json', '--weights', '/w/f.pt', '--kd', '--two-stage', '--lambda', '0.9', '--epochs', '3', '--batch', '32', '--limit', '512', '--seed', '2', '--resume']);
  // The trainer's own default is ternary activations: a weights-only job must say float.
  const w = trainerArgs(job(), 1);
  assert.equal(w[w.indexOf('--activations') + 1], 'float');
  assert.equal(w[w.indexOf('--batch') + 1], '64');
  assert.equal(w[w.indexOf('--epochs') + 1], '1');
});

test('checkTorchJob names what the PyTorch trainer cannot run', () => {
  assert.throws(() => checkTorchJob(job({ qat: false })), /"backend": "pytorch" trains .*"qat": true/);
  assert.throws(() => checkTorchJob(job({ model: '/w/cnn/model.json' })), /not TF\.js model\.json/);
  assert.throws(() => checkTorchJob(job({ model: '/w/m.h5' })), /must be an \.onnx file or MODULE:FACTORY/);
  assert.throws(() => checkTorchJob(job({ data: undefined })), /needs a data set/);
  // Without the CLI the trainer leaves <stem>.onnx: it must not be the source.
  assert.throws(() => checkTorchJob(job({ model: '/w/m.onnx', output: '/w/m.tnn' })), /would overwrite the source model/);
  assert.doesNotThrow(() => checkTorchJob(job({ output: '/w/m.qat.tnn' })));
  assert.doesNotThrow(() => checkTorchJob(job({ model: 'pkg.models:resnet20', output: '/w/r.tnn' })));
});

test('factory specs: recognised, resolved against the workspace (a module spec is left alone), default output', () => {
  assert.ok(isFactorySpec('tritscope_torch.models:fashion_cnn'));
  assert.ok(isFactorySpec('nets/my net.py:build'));
  assert.ok(!isFactorySpec('/w/m.onnx'));
  assert.ok(!isFactorySpec('pkg:not a name'));
  assert.equal(resolveModelSpec('tritscope_torch.models:resnet20', '/w'), 'tritscope_torch.models:resnet20');
  assert.equal(resolveModelSpec('nets/a.py:build', '/w'), path.resolve('/w', 'nets/a.py') + ':build');
  assert.equal(resolveModelSpec('m.onnx', '/w'), path.join('/w', 'm.onnx'));
  assert.equal(validateJob({ model: 'pkg.m:resnet20', qat: true, backend: 'pytorch' }).output, 'resnet20.asym-uniform.qat.tnn');
  assert.throws(() => validateJob({ model: 'a.onnx', backend: 'jax' }), /"backend" must be "tfjs" or "pytorch"/);
});

test('pythonArgv runs DDP under the torchrun shim only above one process', () => {
  assert.deepEqual(pythonArgv('py', 1, ['x']), ['py', '-m', 'tritscope_torch.train', 'x']);
  // --standalone: a free rendezvous port, so two DDP jobs on one machine do not collide on torchrun's 29500.
  assert.deepEqual(pythonArgv('py', 4, ['x']), ['py', '-m', 'tritscope_torch.torchrun', '--standalone', '--nproc_per_node', '4', '-m', 'tritscope_torch.train', 'x']);
});

test('shellQuote: safe words stay bare, anything else is single-quoted', () => {
  assert.equal(shellQuote('/a/b-c_d.tnn'), '/a/b-c_d.tnn');
  assert.equal(shellQuote('a b'), `'a b'`);
  assert.equal(shellQuote(`it's`), `'it'\\''s'`);
  assert.equal(shellQuote(''), `''`);
  assert.equal(shellQuote('$HOME;rm -rf /'), `'$HOME;rm -rf /'`);
});

test('substituteLauncher rejects unknown variables', () => {
  const vars = { command: ['a'], remoteCommand: 'a', trainerArgs: ['b'], python: 'p', nproc: '1', cwd: '/', output: 'o', workspaceFolder: '/' };
  assert.throws(() => substituteLauncher('srun ${comand}', vars), /unknown variable \$\{comand\}.*\$\{command\}/);
});

/** A fake interpreter that records its argv, cwd and the variables the trainer needs, one JSON line. */
function fakePython(dir: string): string {
  const f = path.join(dir, 'fake python');
  writeFileSync(f, `#!/usr/bin/env node
console.log(JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env: { PYTHONPATH: process.env.PYTHONPATH, TRITSCOPE_CLI: process.env.TRITSCOPE_CLI, PYTHONUNBUFFERED: process.env.PYTHONUNBUFFERED } }));
`);
  chmodSync(f, 0o755);
  return f;
}

// Paths with spaces, quotes and $ must reach the trainer intact through /bin/sh (and a second shell, as ssh's).
test('launcher templates: ${command} for srun-like launchers and ${remoteCommand} for ssh-like ones deliver the exact argv', () => {
  const dir = mkdtempSync(path.join(tmpdir(), `tritscope launch '$x' `));
  const py = fakePython(dir);
  const cwd = path.join(dir, 'work dir');
  mkdirSync(cwd);
  const j = job({ model: 'pkg.mod:net', output: path.join(dir, `it's $HOME.tnn`), data: 'npy:a b.npy,y.npy' });
  const local = torchLaunch(j, { python: py, nprocPerNode: 1, launcher: '' }, ctx(cwd));
  assert.equal(local.command, py);
  const want = [...pythonArgv(py, 1, trainerArgs(j, 1)).slice(1)];
  assert.deepEqual(local.args, want);
  for (const [template, shell] of [['nice -n 1 ${command}', false], ['sh -c ${remoteCommand}', true]] as const) {
    const spec = torchLaunch(j, { python: py, nprocPerNode: 1, launcher: template }, ctx(cwd));
    assert.equal(spec.command, '/bin/sh');
    const out = JSON.parse(execFileSync(spec.command, spec.args, { cwd: shell ? dir : cwd, encoding: 'utf8' })) as { argv: string[]; cwd: string; env: Record<string, string> };
    assert.deepEqual(out.argv, want, template);
    assert.equal(out.cwd, cwd, `${template}: runs in the job's folder`);
    // The environment travels inline (a remote machine does not inherit it).
    assert.equal(out.env.PYTHONPATH, '/ext/python');
    assert.equal(out.env.TRITSCOPE_CLI, '/ext/dist/cli.js');
    assert.equal(out.env.PYTHONUNBUFFERED, '1');
  }
  const srun = torchLaunch(j, { python: 'python3', nprocPerNode: 4, launcher: 'srun --gres=gpu:${nproc} ${command}' }, ctx(cwd));
  assert.match(srun.display, /^srun --gres=gpu:4 env PYTHONPATH=\/ext\/python .* python3 -m tritscope_torch\.torchrun --standalone --nproc_per_node 4 -m tritscope_torch\.train /);
  const multi = torchLaunch(j, { python: 'python3', nprocPerNode: 2, launcher: 'srun -N2 torchrun --nnodes 2 --nproc_per_node ${nproc} -m tritscope_torch.train ${trainerArgs}' }, ctx(cwd));
  assert.match(multi.display, /^srun -N2 torchrun --nnodes 2 --nproc_per_node 2 -m tritscope_torch\.train --model pkg\.mod:net --data 'npy:a b\.npy,y\.npy' /);
  assert.match(srun.display, /--batch 16$/, 'the global batch of 64 split over 4 processes');
});

test("pendingAssembly finds the ONNX + sidecar a remote job left instead of the .tnn (fresh ones only)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-asm-'));
  const out = path.join(dir, 'm.qat.tnn');
  const t0 = Date.now();
  assert.equal(pendingAssembly(out, t0), undefined);
  writeFileSync(path.join(dir, 'm.qat.onnx'), 'x');
  writeFileSync(path.join(dir, 'm.qat.quant.safetensors'), 'x');
  assert.deepEqual(pendingAssembly(out, t0), { onnx: path.join(dir, 'm.qat.onnx'), sidecar: path.join(dir, 'm.qat.quant.safetensors') });
  const old = new Date(t0 - 60_000);
  utimesSync(path.join(dir, 'm.qat.onnx'), old, old);
  assert.equal(pendingAssembly(out, t0), undefined, 'an older ONNX is not this job\'s');
  writeFileSync(out, 'tnn');
  assert.equal(pendingAssembly(out, 0), undefined, 'nothing to do when the .tnn exists');
  assert.equal(readFileSync(out, 'utf8'), 'tnn');
});
