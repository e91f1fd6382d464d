/**
 * The PyTorch backend of "Quantize to ternary" in a real extension host: a
 * `tritscope` task with `"backend": "pytorch"` runs `python -m
 * tritscope_torch.train` (DDP under torchrun), the `.tnn` opens in the editor;
 * Cancel ends the whole process group (agent and workers) and leaves no
 * `.tnn` or temp file; a missing Python or torch is named with its install
 * commands; a launcher template runs the job, and a job that ran where the
 * Tritscope CLI is not is assembled here.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { clearWorkbench } from './editor-messages';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseTnn } from '../../../src/core/format/index';
import type { JobMonitor, JobOutcome } from '../../../src/extension/quantize/jobMonitor';

const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const scratch = () => path.join(workspace(), '.tritscope', 'quantize-torch-it');
const sourceModel = () => path.join(workspace(), 'models', 'fashion-cnn.onnx');
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const config = () => vscode.workspace.getConfiguration('tritscope');

let jobs: JobMonitor;

async function quantize(job: Record<string, unknown>): Promise<JobOutcome> {
  const r = (await vscode.commands.executeCommand('tritscope.quantize', job)) as JobOutcome | undefined;
  assert.ok(r, 'tritscope.quantize resolved without an outcome');
  return r;
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 120_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Live processes whose process group is `pgid` (from /proc; nothing is signalled). */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(p));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

const torchJob = (output: string, extra: Record<string, unknown> = {}) => ({
  model: sourceModel(), output, method: 'asym-uniform', qat: true, backend: 'pytorch', data: 'fashion-mnist:train',
  activations: 'ternary', kd: true, twoStage: true, limit: 256, epochs: 1, ...extra,
});

async function setting(key: string, value: unknown): Promise<void> {
  await config().update(key, value, vscode.ConfigurationTarget.Global);
}

suite('Tritscope quantize: PyTorch backend', () => {
  let sourceHash: string;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension('tritscope.tritscope')!;
    jobs = ((await ext.activate()) as { quantizeJobs: JobMonitor }).quantizeJobs;
    rmSync(scratch(), { recursive: true, force: true });
    mkdirSync(scratch(), { recursive: true });
    sourceHash = sha(sourceModel());
  });
  teardown(async () => {
    jobs.cancelAll();
    await waitFor('all quantize jobs to stop', () => jobs.running.size === 0, 30_000).catch(() => undefined);
    for (const k of ['python', 'torch.nprocPerNode', 'torch.launcher']) await setting(k, undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  suiteTeardown(async () => {
    await clearWorkbench();
    assert.equal(sha(sourceModel()), sourceHash, 'the source model was modified');
  });

  test('a 2-process DDP job (detected Python) writes a .tnn that parses and opens in the custom editor', async function () {
    this.timeout(300_000);
    await setting('torch.nprocPerNode', 2);
    const output = path.join(scratch(), 'cnn.torch.tnn');
    const o = await quantize(torchJob(output));
    assert.equal(o.ok, true, `job failed: ${o.error}`);
    assert.equal(o.code, 0);
    const args = o.args ?? [];
    assert.deepEqual(args.slice(0, 5), ['-m', 'tritscope_torch.torchrun', '--standalone', '--nproc_per_node', '2'], args.join(' '));
    assert.equal(args[args.indexOf('--batch') + 1], '32', 'the global batch of 64 split over two processes');
    const model = parseTnn(readFileSync(output), output);
    assert.equal(model.provenance.trainer, 'tritscope_torch');
    assert.equal((model.provenance.options as { world?: number }).world, 2);
    assert.ok(model.graph.layers.some((l) => l.weightQuant && l.actQuant), 'ternary weights and activations');
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(input instanceof vscode.TabInputCustom && input.viewType === 'tritscope.tnnEditor' && input.uri.fsPath === output, 'the .tnn is open');
    assert.ok(!existsSync(`${output}.ckpt`), 'a finished run removes its checkpoint');
  });

  test('Cancel ends the whole process group (torchrun agent and workers): no orphan, no .tnn, no temp file', async function () {
    this.timeout(300_000);
    await setting('torch.nprocPerNode', 2);
    const output = path.join(scratch(), 'cancel.torch.tnn');
    const pending = quantize(torchJob(output, { limit: 16_384, epochs: 3 }));
    const job = await waitFor('the PyTorch job to start', () => [...jobs.running][0]);
    let steps = 0;
    job.on('event', (e) => e.type === 'progress' && steps++);
    await waitFor('two training progress events', () => steps >= 2);
    const pgid = job.pid!;
    const members = groupMembers(pgid);
    assert.ok(members.length >= 3, `the agent and two workers share the group: ${members.join(', ')}`);
    jobs.cancelAll();
    const o = await pending;
    assert.equal(o.cancelled, true);
    assert.equal(o.ok, false);
    assert.deepEqual(groupMembers(pgid), [], 'no process of the group is left');
    for (const p of members) assert.throws(() => process.kill(p, 0), `process ${p} still exists`);
    assert.ok(!existsSync(output), 'no .tnn after cancel');
    assert.deepEqual(readdirSync(scratch()).filter((f) => f.startsWith('cancel.torch') && f !== 'cancel.torch.tnn.ckpt' || f.startsWith('.tritscope-export-')), [],
      'no temp files (a checkpoint of finished epochs may stay)');
  });

  test('a Python without torch: the outcome names what is missing and the install commands', async function () {
    this.timeout(120_000);
    // A real interpreter whose torch import fails, as on a machine without python3-torch.
    const shadow = path.join(scratch(), 'no-torch');
    mkdirSync(shadow, { recursive: true });
    writeFileSync(path.join(shadow, 'torch.py'), 'raise ModuleNotFoundError("No module named \'torch\'")\n');
    const wrapper = path.join(scratch(), 'python-without-torch');
    writeFileSync(wrapper, `#!/bin/sh\nPYTHONPATH='${shadow}':"$PYTHONPATH" exec /usr/bin/python3 "$@"\n`);
    chmodSync(wrapper, 0o755);
    await setting('python', wrapper);
    const o = await quantize(torchJob(path.join(scratch(), 'never.tnn')));
    assert.equal(o.ok, false);
    assert.equal(o.code, 2);
    assert.match(o.error ?? '', /PyTorch backend: torch is not importable by .*python-without-torch \(Python 3\.\d+/);
    assert.ok(!existsSync(path.join(scratch(), 'never.tnn')));
    await setting('python', '/nonexistent/python3');
    const none = await quantize(torchJob(path.join(scratch(), 'never.tnn')));
    assert.match(none.error ?? '', /No Python interpreter was found \(tried \/nonexistent\/python3 \(not found\)\)/);
  });

  test('a launcher template runs the job; where the CLI was missing the ONNX + sidecar are assembled here and opened', async function () {
    this.timeout(300_000);
    // Stands in for a remote host without Tritscope: the trainer's own environment words are dropped, the CLI is absent.
    await setting('python', '/usr/bin/python3'); // with a launcher nothing is probed here: the interpreter is given
    await setting('torch.launcher', 'remote() { shift; while case $1 in *=*) true;; *) false;; esac; do shift; done; TRITSCOPE_CLI=/nonexistent/cli.js "$@"; }; remote ${command}');
    const output = path.join(scratch(), 'launched.torch.tnn');
    const o = await quantize(torchJob(output, { limit: 128, kd: false, twoStage: false }));
    assert.equal(o.ok, true, `job failed: ${o.error}`);
    assert.equal(o.args?.[0], '-c');
    assert.match(o.args?.[1] ?? '', /^remote\(\) .*; remote env PYTHONPATH=\S+ PYTHONUNBUFFERED=1 TRITSCOPE_CLI=\S+ TRITSCOPE_NODE=\S+ ELECTRON_RUN_AS_NODE=1 \S+ -m tritscope_torch\.train /);
    assert.equal(parseTnn(readFileSync(output), output).provenance.trainer, 'tritscope_torch');
    for (const f of ['launched.torch.onnx', 'launched.torch.quant.safetensors']) assert.ok(!existsSync(path.join(scratch(), f)), `${f} removed after assembly`);
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(input instanceof vscode.TabInputCustom && input.uri.fsPath === output, 'the assembled .tnn is open');
  });
});
