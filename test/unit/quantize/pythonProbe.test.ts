import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { detectTorchPython, missingReport, probePython, pythonCandidates, usable, type PythonProbe } from '../../../src/extension/quantize/pythonProbe';

const PACKAGE_DIR = path.join(process.cwd(), 'python');

/** A real interpreter to probe: Debian's, else the first python3 on PATH. */
const REAL = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'pass']).status === 0);

function fakeInterpreter(dir: string, name: string, answer: object): string {
  const f = path.join(dir, name);
  writeFileSync(f, `#!/bin/sh\necho '${JSON.stringify(answer)}'\n`);
  chmodSync(f, 0o755);
  return f;
}

test('pythonCandidates: the setting alone when set; else the Python extension, PATH and Debian /usr/bin/python3', () => {
  assert.deepEqual(pythonCandidates(' /opt/venv/bin/python '), ['/opt/venv/bin/python']);
  assert.deepEqual(pythonCandidates(''), ['python3', 'python', '/usr/bin/python3']);
  assert.deepEqual(pythonCandidates('', '/home/u/.venv/bin/python'), ['/home/u/.venv/bin/python', 'python3', 'python', '/usr/bin/python3']);
  assert.deepEqual(pythonCandidates('', 'python3'), ['python3', 'python', '/usr/bin/python3'], 'no duplicates');
});

test('probePython runs the probe on a real interpreter: torch is reported exactly when it imports', async () => {
  assert.ok(REAL, 'a python3 to probe (CI installs python3-torch)');
  const p = await probePython(REAL!, PACKAGE_DIR);
  assert.ok(p.ran, p.error);
  assert.match(p.version ?? '', /^3\.\d+/);
  const hasTorch = spawnSync(REAL!, ['-c', 'import torch']).status === 0;
  assert.equal(Boolean(p.torch), hasTorch, JSON.stringify(p));
  if (hasTorch) assert.ok(p.package?.endsWith('__init__.py'), `the bundled tritscope_torch imports: ${JSON.stringify(p)}`);
});

test('probePython: a torch that fails to import is reported with its error (real interpreter, torch shadowed)', async () => {
  assert.ok(REAL, 'a python3 to probe (CI installs python3-torch)');
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-probe-'));
  writeFileSync(path.join(dir, 'torch.py'), 'raise ImportError("simulated: libtorch_cpu.so missing")\n');
  const p = await probePython(REAL!, dir);
  assert.ok(p.ran);
  assert.equal(p.torch, undefined);
  assert.match(p.torchError ?? '', /ImportError: simulated: libtorch_cpu\.so missing/);
  const report = missingReport([p]);
  assert.ok(report);
  assert.match(report.summary, /^torch is not importable by .*\(Python 3\.\d+.*\) \(ImportError: simulated/);
  assert.match(report.install[0], /^sudo apt-get install python3-torch/);
  assert.match(report.install[1], /-m pip install torch/);
});

test('probePython: a missing interpreter is "not found", not a crash', async () => {
  const p = await probePython('/nonexistent/python3', PACKAGE_DIR);
  assert.equal(p.ran, false);
  assert.equal(p.error, 'not found');
  const r = missingReport([p]);
  assert.match(r!.summary, /No Python interpreter was found \(tried \/nonexistent\/python3 \(not found\)\)/);
  assert.match(r!.install[0], /apt-get install python3 python3-torch/);
});

test('detectTorchPython takes the first usable candidate and stops probing there', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-probe-'));
  const noTorch = fakeInterpreter(dir, 'py-a', { executable: '/a', version: '3.11.2', numpy: '1.24', torchError: "ModuleNotFoundError: No module named 'torch'" });
  const good = fakeInterpreter(dir, 'py-b', { executable: '/b', version: '3.11.2', torch: '1.13.1', numpy: '1.24', package: '/x/__init__.py' });
  const never = fakeInterpreter(dir, 'py-c', { executable: '/c', version: '3.12', torch: '2.3', numpy: '1.26', package: '/y' });
  const r = await detectTorchPython(['/nonexistent/py', noTorch, good, never], PACKAGE_DIR);
  assert.equal(r.chosen?.python, good);
  assert.deepEqual(r.probes.map((p) => p.python), ['/nonexistent/py', noTorch, good]);
  assert.equal(missingReport([r.chosen!]), undefined);
  // None usable: the report is about the best one that ran (it has Python, lacks torch).
  const none = await detectTorchPython(['/nonexistent/py', noTorch], PACKAGE_DIR);
  assert.equal(none.chosen, undefined);
  assert.match(missingReport(none.probes)!.summary, /^torch is not importable by .*py-a \(Python 3\.11\.2\) \(ModuleNotFoundError/);
});

test('missingReport: onnx only for an ONNX source; tritscope_torch import errors are named', () => {
  const base: PythonProbe = { python: 'py', ran: true, version: '3.11', torch: '1.13', numpy: '1.24', package: '/p' };
  assert.ok(usable(base));
  assert.equal(missingReport([base], false), undefined);
  const onnx = missingReport([base], true)!;
  assert.match(onnx.summary, /^onnx is not importable/);
  assert.match(onnx.install[0], /apt-get install python3-onnx/);
  const pkg = missingReport([{ ...base, package: undefined, packageError: 'SyntaxError: bad' }])!;
  assert.match(pkg.summary, /cannot import tritscope_torch: SyntaxError: bad/);
  const two = missingReport([{ ...base, torch: undefined, numpy: undefined }])!;
  assert.match(two.summary, /^torch, numpy are not importable/);
  assert.match(two.install[0], /python3-torch python3-numpy/);
});
