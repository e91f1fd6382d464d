/**
 * "Quantize to ternary" inside a real VS Code extension host: post-training
 * and QAT jobs run as `tritscope` tasks over a child process, the new `.tnn`
 * opens in the custom editor, cancel leaves nothing behind, bad models fail
 * with the CLI's message, tasks.json definitions run, and the host stays
 * responsive while training (numbers → test-results/bench-responsiveness.json).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { clearWorkbench } from './editor-messages';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseTnn } from '../../../src/core/format/index';
import type { ChildJob } from '../../../src/extension/quantize/childJob';
import type { JobOutcome, JobMonitor } from '../../../src/extension/quantize/jobMonitor';
import { latencyStats, probeLatencies, type LatencyStats } from './quantize-probes';
import { repoRoot } from './repo';

const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const scratch = () => path.join(workspace(), '.tritscope', 'quantize-it');
const sourceModel = () => path.join(workspace(), 'models', 'fashion-cnn.onnx');
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let jobs: JobMonitor;

const resultsDir = () => path.join(repoRoot(), 'test-results');
function writeTimings(t: object): void {
  mkdirSync(resultsDir(), { recursive: true });
  writeFileSync(path.join(resultsDir(), 'quantize-timings.json'), JSON.stringify(t, null, 2) + '\n');
}

async function quantize(job: Record<string, unknown>): Promise<JobOutcome> {
  const r = (await vscode.commands.executeCommand('tritscope.quantize', job)) as JobOutcome | undefined;
  assert.ok(r, 'tritscope.quantize resolved without an outcome');
  return r;
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The pid of a running child once it has reported `minSteps` training progress events (counted from when this starts watching it). */
function trainingPid(minSteps = 1): Promise<number> {
  const seen = new Map<ChildJob, number>();
  return waitFor('the QAT child to report training progress', () => {
    for (const job of jobs.running) {
      if (!seen.has(job)) {
        seen.set(job, 0);
        job.on('event', (e) => { if (e.type === 'progress') seen.set(job, (seen.get(job) ?? 0) + 1); });
      }
      if ((seen.get(job) ?? 0) >= minSteps && job.pid !== undefined) return job.pid;
    }
    return undefined;
  });
}

function activeCustomEditor(): { viewType: string; file: string } | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom ? { viewType: input.viewType, file: input.uri.fsPath } : undefined;
}

function assertProcessGone(pid: number): void {
  assert.throws(() => process.kill(pid, 0), `child ${pid} still exists`);
}

/** A long QAT job (thousands of samples), cancelled by the tests long before it ends. */
const longQat = (output: string) => ({ model: sourceModel(), output, method: 'asym-uniform', qat: true, data: 'fashion-mnist:train', limit: 16_384, epochs: 2 });

suite('Tritscope quantize', () => {
  let sourceHash: string;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension('tritscope.tritscope')!;
    const api = (await ext.activate()) as { quantizeJobs?: JobMonitor };
    assert.ok(api.quantizeJobs, 'the extension API exposes quantizeJobs');
    jobs = api.quantizeJobs;
    rmSync(scratch(), { recursive: true, force: true });
    mkdirSync(scratch(), { recursive: true });
    assert.ok(existsSync(sourceModel()), `${sourceModel()} missing (the sample float model)`);
    sourceHash = sha(sourceModel());
  });
  teardown(async () => {
    jobs.cancelAll();
    await waitFor('all quantize jobs to stop', () => jobs.running.size === 0, 10_000).catch(() => undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  suiteTeardown(async () => {
    await clearWorkbench();
    assert.equal(sha(sourceModel()), sourceHash, 'the source model was modified');
  });

  test('"Run Task" offers a ready-made post-training task for each float model in the workspace', async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: 'tritscope' });
    const forSample = tasks.find((t) => String(t.definition.model).endsWith(path.join('models', 'fashion-cnn.onnx')));
    assert.ok(forSample, `no task for models/fashion-cnn.onnx among: ${tasks.map((t) => t.name).join(', ')}`);
    assert.equal(forSample.definition.method, 'asym-uniform');
    assert.ok(String(forSample.definition.output).endsWith('fashion-cnn.asym-uniform.tnn'));
  });

  test('QAT job (1 epoch, 256 samples) writes a .tnn that parses and opens in the custom editor', async function () {
    this.timeout(180_000);
    const output = path.join(scratch(), 'cnn.qat.tnn');
    // Phase timings (ms from the command): the first job in a fresh window also pays for task-system and webview start-up.
    const t0 = Date.now();
    const pending = quantize({ model: sourceModel(), output, method: 'asym-uniform', qat: true, data: 'fashion-mnist:train', limit: 256, epochs: 1 });
    const pid = await waitFor('the QAT child to start', () => jobs.runningPids()[0], 120_000);
    const tChild = Date.now() - t0;
    await waitFor('the QAT child to exit', () => !jobs.runningPids().includes(pid), 170_000);
    const tExit = Date.now() - t0;
    const o = await pending;
    writeTimings({ firstQatJob: { childStartedMs: tChild, childExitedMs: tExit, outcomeMs: Date.now() - t0 } });
    assert.equal(o.ok, true, `job failed: ${o.error}`);
    assert.equal(o.cancelled, false);
    assert.equal(o.code, 0);
    // Every job field reaches the CLI (VS Code drops task-definition properties package.json does not declare).
    assert.deepEqual(o.args?.slice(o.args.indexOf('--limit'), o.args.indexOf('--limit') + 2), ['--limit', '256'], `args: ${o.args?.join(' ')}`);
    const model = parseTnn(readFileSync(output), output);
    assert.ok(model.graph.layers.some((l) => l.weightQuant), 'at least one ternary layer');
    assert.match(String(model.provenance.method), /qat/);
    const tab = activeCustomEditor();
    assert.equal(tab?.viewType, 'tritscope.tnnEditor');
    assert.equal(tab?.file, output);
    assert.equal(sha(sourceModel()), sourceHash, 'source model unchanged');
    assert.ok(!existsSync(`${output}.ckpt`), 'a finished run removes its checkpoint');
  });

  test('post-training job (twn) writes and opens a .tnn', async () => {
    const output = path.join(scratch(), 'cnn.twn.tnn');
    const o = await quantize({ model: sourceModel(), output, method: 'twn' });
    assert.equal(o.ok, true, `job failed: ${o.error}`);
    const model = parseTnn(readFileSync(output), output);
    assert.equal(model.provenance.method, 'twn');
    assert.equal(activeCustomEditor()?.file, output);
  });

  test('cancel mid-training (jobMonitor.cancelAll): cancelled outcome, no output, no temp files, child gone', async function () {
    this.timeout(120_000);
    const output = path.join(scratch(), 'cancel-monitor.tnn');
    const pending = quantize(longQat(output));
    const pid = await trainingPid(2);
    jobs.cancelAll();
    const o = await pending;
    assert.equal(o.cancelled, true);
    assert.equal(o.ok, false);
    assert.equal(o.pid, pid);
    assert.ok(o.args?.includes('--limit'), `args: ${o.args?.join(' ')}`);
    assertProcessGone(pid);
    assert.ok(!existsSync(output), 'no output after cancel');
    assert.deepEqual(readdirSync(scratch()).filter((f) => f.startsWith('cancel-monitor')), [], 'nothing beside the output');
    assert.equal(sha(sourceModel()), sourceHash);
  });

  test("cancel through the task's terminate(): cancelled outcome and the child is gone", async function () {
    this.timeout(120_000);
    const output = path.join(scratch(), 'cancel-task.tnn');
    const pending = quantize(longQat(output));
    const pid = await trainingPid(1);
    const exec = vscode.tasks.taskExecutions.find((e) => e.task.source === 'tritscope' && (e.task.definition as { output?: string }).output === output);
    assert.ok(exec, 'the quantize job is a running tritscope task');
    exec.terminate();
    const o = await pending;
    assert.equal(o.cancelled, true);
    assertProcessGone(pid);
    assert.deepEqual(readdirSync(scratch()).filter((f) => f.startsWith('cancel-task')), []);
  });

  test('an unsupported op fails with the CLI message, a non-zero exit, and leaves the source untouched', async () => {
    const bad = path.join(scratch(), 'selu.onnx');
    const bytes = Buffer.from(readFileSync(sourceModel()));
    // op_type field (tag 0x22, length 4) "Relu" → "Selu": a real ONNX op the importer does not support.
    const pat = Buffer.from([0x22, 4, ...Buffer.from('Relu')]);
    for (let i = bytes.indexOf(pat); i >= 0; i = bytes.indexOf(pat, i + 1)) bytes.write('Selu', i + 2);
    writeFileSync(bad, bytes);
    const before = sha(bad);
    const output = path.join(scratch(), 'selu.tnn');
    const o = await quantize({ model: bad, output, method: 'asym-uniform' });
    assert.equal(o.ok, false);
    assert.notEqual(o.code, 0);
    assert.match(o.error ?? '', /selu\.onnx/);
    assert.match(o.error ?? '', /unsupported op type 'Selu'/);
    assert.ok(!existsSync(output));
    assert.equal(sha(bad), before, 'the bad source model is unchanged');
  });

  test('a missing model fails with a message naming the file', async () => {
    const missing = path.join(scratch(), 'no-such-model.onnx');
    const o = await quantize({ model: missing, output: path.join(scratch(), 'missing.tnn'), method: 'twn' });
    assert.equal(o.ok, false);
    assert.notEqual(o.code, 0);
    assert.match(o.error ?? '', /no-such-model\.onnx/);
  });

  test('a task saved in tasks.json ({type: tritscope, model, output, method}) runs', async function () {
    this.timeout(90_000);
    const tasksFile = path.join(workspace(), '.vscode', 'tasks.json');
    assert.ok(!existsSync(tasksFile), `${tasksFile} exists; this test writes and removes its own`);
    const output = path.join(scratch(), 'from-tasks-json.tnn');
    const label = 'quantize sample (integration test)';
    writeFileSync(tasksFile, JSON.stringify({
      version: '2.0.0',
      tasks: [{ type: 'tritscope', label, model: 'models/fashion-cnn.onnx', output: path.relative(workspace(), output), method: 'ttq' }],
    }, null, 2));
    try {
      const task = await waitFor('VS Code to read tasks.json', async () =>
        (await vscode.tasks.fetchTasks({ type: 'tritscope' })).find((t) => t.name === label), 30_000);
      const outcome = jobs.nextOutcome((o) => o.job.output === output);
      await vscode.tasks.executeTask(task);
      const o = await outcome;
      assert.equal(o.ok, true, `job failed: ${o.error}`);
      assert.equal(parseTnn(readFileSync(output), output).provenance.method, 'ttq');
    } finally {
      rmSync(tasksFile, { force: true });
    }
  });

  test('responsiveness benchmark: the host answers commands while a QAT job trains', async function () {
    this.timeout(180_000);
    const probes = Number(process.env.TRITSCOPE_BENCH_PROBES ?? 40);
    const idle = await probeLatencies(probes);
    const output = path.join(scratch(), 'bench.tnn');
    const pending = quantize(longQat(output));
    await trainingPid(1);
    const busy = await probeLatencies(probes);
    const stillTraining = jobs.running.size > 0;
    jobs.cancelAll();
    await pending;
    assert.ok(stillTraining, 'the probes ran while the job trained (make the job longer)');
    const summary = (s: number[]): LatencyStats => latencyStats(s);
    const report = {
      date: new Date().toISOString(),
      vscode: vscode.version,
      probes,
      job: 'QAT fashion-cnn.onnx, asym-uniform, 16384 samples',
      idle: { command: summary(idle.command), findFiles: summary(idle.findFiles), eventLoop: summary(idle.eventLoop) },
      training: { command: summary(busy.command), findFiles: summary(busy.findFiles), eventLoop: summary(busy.eventLoop) },
      ratio: {} as Record<string, number>,
    };
    for (const k of ['command', 'findFiles', 'eventLoop'] as const)
      report.ratio[`${k}Median`] = +(report.training[k].median / Math.max(0.01, report.idle[k].median)).toFixed(2);
    mkdirSync(resultsDir(), { recursive: true });
    writeFileSync(path.join(resultsDir(), 'bench-responsiveness.json'), JSON.stringify(report, null, 2) + '\n');
    // Generous bound (shared, noisy machine): the median command round trip while training.
    assert.ok(report.training.command.median < 200, `command median ${report.training.command.median} ms while training`);
    assert.ok(report.training.findFiles.median < 200, `findFiles median ${report.training.findFiles.median} ms while training`);
  });
});
