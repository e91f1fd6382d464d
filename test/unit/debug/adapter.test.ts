/**
 * DAP conformance of the standalone adapter (dist/debugAdapter.js, run by
 * `node esbuild.mjs`) driven by @vscode/debugadapter-testsupport's DebugClient,
 * on a small ternary CNN this test writes with the core writer.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { writeCnnModel, cnnModel } from './cnn-model';
import { buildListing, listingUriFor } from '../../../src/debug/listing';
import { loadPackedEngine } from '../../../src/core/engine/index';
import { parseInputSpec } from '../../../src/core/data/index';
import { runCli } from '../../../src/cli/run';

const ADAPTER = path.resolve('dist/debugAdapter.js');
let dir: string;
let modelPath: string;
const listing = buildListing(cnnModel().graph, (n) => cnnModel().tensors.get(n)?.shape);
const lineOf = (name: string) => listing.layers.find((l) => l.name === name)!.line;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tritscope-dap-'));
  modelPath = await writeCnnModel(path.join(dir, 'cnn.tnn'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function withClient(fn: (dc: DebugClient) => Promise<void>): Promise<void> {
  const dc = new DebugClient('node', ADAPTER, 'tritscope');
  dc.defaultTimeout = 20000;
  await dc.start();
  try {
    await fn(dc);
  } finally {
    await dc.stop();
  }
}

const launchArgs = (extra: Record<string, unknown> = {}) => ({ model: modelPath, input: 'random:3', stopOnEntry: true, compareFloat: true, ...extra });

/** Launches with breakpoints set during the configuration phase; resolves at the first stop. */
async function launchAndStop(dc: DebugClient, extra: Record<string, unknown> = {}, bps: DebugProtocol.SourceBreakpoint[] = []): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await Promise.all([
    dc.waitForEvent('initialized').then(async () => {
      if (bps.length) await dc.setBreakpointsRequest({ source: { path: listingUriFor(modelPath) }, breakpoints: bps });
      await dc.configurationDoneRequest();
    }),
    dc.initializeRequest().then(() => dc.launch(launchArgs(extra))),
  ]);
  return stopped;
}

async function top(dc: DebugClient): Promise<DebugProtocol.StackFrame> {
  return (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
}

async function stepAndWait(dc: DebugClient, req: Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const [ev] = await Promise.all([dc.waitForEvent('stopped'), req]);
  return ev as DebugProtocol.StoppedEvent;
}

test('initialize advertises stepping back, restart, conditions and the divergence filter', async () => {
  await withClient(async (dc) => {
    const caps = (await dc.initializeRequest()).body!;
    assert.equal(caps.supportsStepBack, true);
    assert.equal(caps.supportsRestartRequest, true);
    assert.equal(caps.supportsConditionalBreakpoints, true);
    assert.deepEqual(caps.exceptionBreakpointFilters?.map((f) => f.filter), ['divergence']);
  });
});

test('stop on entry at the first layer, next to the second, output variables have the layer shape', async () => {
  await withClient(async (dc) => {
    const stop = await launchAndStop(dc);
    assert.equal(stop.body.reason, 'entry');
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.equal(frames[0].name, 'conv1');
    assert.equal(frames[0].line, lineOf('conv1'));
    assert.equal(frames[0].source?.path, listingUriFor(modelPath));
    assert.equal(frames[1].name, 'debug-cnn');
    await stepAndWait(dc, dc.nextRequest({ threadId: 1 }));
    const frame = await top(dc);
    assert.equal(frame.name, 'relu1');
    const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
    assert.deepEqual(scopes.map((s) => s.name), ['Output', 'Input', 'Weights', 'Quantizer', 'Float reference']);
    const out = (await dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables[0];
    assert.match(out.value, /^\[1×4×6×6\] f32 min=/);
    assert.equal(out.indexedVariables, 2, '144 values → groups [0..99], [100..143]');
    const named = (await dc.variablesRequest({ variablesReference: out.variablesReference, filter: 'named' })).body.variables;
    assert.equal(named.find((v) => v.name === 'shape')?.value, '[1,4,6,6]');
    const groups = (await dc.variablesRequest({ variablesReference: out.variablesReference, filter: 'indexed', start: 1, count: 1 })).body.variables;
    assert.deepEqual(groups.map((g) => g.name), ['[100..143]']);
    const values = (await dc.variablesRequest({ variablesReference: groups[0].variablesReference, filter: 'indexed', start: 0, count: 3 })).body.variables;
    assert.deepEqual(values.map((v) => v.name), ['[0,2,4,4]', '[0,2,4,5]', '[0,2,5,0]']);
    for (const v of values) assert.ok(Number(v.value) >= 0, 'relu output is non-negative');
  });
});

test('a breakpoint on a layer line stops there after continue; stepBack returns; result matches the engine', async () => {
  await withClient(async (dc) => {
    await launchAndStop(dc, {}, [{ line: lineOf('fc') }]);
    const bp = await stepAndWait(dc, dc.continueRequest({ threadId: 1 }));
    assert.equal(bp.body.reason, 'breakpoint');
    assert.equal((await top(dc)).line, lineOf('fc'));
    await stepAndWait(dc, dc.stepBackRequest({ threadId: 1 }));
    assert.equal((await top(dc)).name, 'flat');
    const outputs: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => outputs.push(e.body.output));
    await stepAndWait(dc, dc.continueRequest({ threadId: 1 })); // fc breakpoint again
    const end = await stepAndWait(dc, dc.continueRequest({ threadId: 1 }));
    assert.equal(end.body.description, 'end of inference');
    const frame = await top(dc);
    assert.equal(frame.line, listing.resultLine);
    const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
    assert.equal(scopes[0].name, 'Result');
    const result = (await dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
    // The same prediction as `tritscope run <file> --input random:3 --json`.
    let stdout = '';
    const code = await runCli(['run', modelPath, '--input', 'random:3', '--json'], { stdout: (t) => (stdout += t), stderr: () => undefined, isTTY: false, signal: new AbortController().signal });
    assert.equal(code, 0);
    const expected = (JSON.parse(stdout) as { predicted: number }).predicted;
    assert.equal(result.find((v) => v.name === 'prediction')?.value, `${cnnModel().graph.labels![expected]} (class ${expected})`);
    assert.match(outputs.join(''), new RegExp(`prediction: ${cnnModel().graph.labels![expected]} \\(class ${expected}`));
    const [terminated] = await Promise.all([dc.waitForEvent('terminated'), dc.continueRequest({ threadId: 1 })]);
    assert.equal(terminated.event, 'terminated');
  });
});

test('a conditional breakpoint fires only where its condition holds; bad conditions are unverified', async () => {
  await withClient(async (dc) => {
    await launchAndStop(dc);
    const res = await dc.setBreakpointsRequest({
      source: { path: listingUriFor(modelPath) },
      breakpoints: [{ line: lineOf('relu1'), condition: 'output.max > 1e9' }, { line: lineOf('pool'), condition: 'index == 2 && output.size == 36' }, { line: lineOf('fc'), condition: 'nonsense < 1' }],
    });
    assert.deepEqual(res.body.breakpoints.map((b) => b.verified), [true, true, false]);
    assert.match(res.body.breakpoints[2].message!, /unknown identifier 'nonsense'/);
    await stepAndWait(dc, dc.continueRequest({ threadId: 1 }));
    assert.equal((await top(dc)).name, 'pool');
    const ev = await dc.evaluateRequest({ expression: 'layer("conv1").output.size + output.size', context: 'repl' });
    assert.equal(ev.body.result, '180');
    await assert.rejects(dc.evaluateRequest({ expression: 'output.bogus', context: 'repl' }), /unknown field 'bogus'/);
    const hover = await dc.evaluateRequest({ expression: 'fc', context: 'hover' });
    assert.ok(hover.body.variablesReference > 0, 'hovering a layer name gives its metrics record');
    const fields = (await dc.variablesRequest({ variablesReference: hover.body.variablesReference })).body.variables;
    assert.equal(fields.find((f) => f.name === 'name')?.value, 'fc');
    assert.equal(fields.find((f) => f.name === 'index')?.value, '4');
  });
});

test('stepIn walks the ternary sub-steps of a layer; the listing is served through the source request', async () => {
  await withClient(async (dc) => {
    await launchAndStop(dc);
    await stepAndWait(dc, dc.stepInRequest({ threadId: 1 }));
    const frame = await top(dc);
    assert.equal(frame.line, listing.layers[0].subSteps[0].line);
    assert.match(frame.name, /^conv1 · /);
    const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
    const sub = (await dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables[0];
    assert.match(sub.value, /trits −1:\d+ 0:\d+ \+1:\d+/, 'ternarized input activations are trits');
    await stepAndWait(dc, dc.stepOutRequest({ threadId: 1 }));
    assert.equal((await top(dc)).name, 'relu1');
    const src = await dc.sourceRequest({ source: { path: listingUriFor(modelPath) }, sourceReference: 0 });
    assert.equal(src.body.content, buildListing(cnnModel().graph, (n) => cnnModel().tensors.get(n)?.shape, modelPath).text);
  });
});

test('the divergence filter stops with an exception at the first layer over the threshold', async () => {
  const stepper = (await loadPackedEngine(cnnModel())).steps(await parseInputSpec('random:3', [1, 6, 6]), { compareFloat: true });
  const divergences = stepper.layers.map((_, i) => stepper.stateAt(i).float!.divergence.relL2);
  // Threshold between the largest and the second-largest divergence after layer 0: exactly one layer passes it.
  const later = divergences.slice(1).sort((a, b) => b - a);
  const threshold = (later[0] + later[1]) / 2;
  const expected = divergences.findIndex((d, i) => i > 0 && d > threshold);
  assert.ok(later[0] > later[1], `layers need distinct divergences: ${divergences}`);
  await withClient(async (dc) => {
    await launchAndStop(dc);
    await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'divergence', condition: String(threshold) }] });
    const stop = await stepAndWait(dc, dc.continueRequest({ threadId: 1 }));
    assert.equal(stop.body.reason, 'exception');
    assert.equal((await top(dc)).name, cnnModel().graph.layers[expected].name);
    assert.match(stop.body.text ?? '', new RegExp(`divergence [-+.\\de]+ > [-+.\\de]+ at layer ${cnnModel().graph.layers[expected].name} `));
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'divergence');
  });
});

test('restart with a new input stops on entry again', async () => {
  await withClient(async (dc) => {
    await launchAndStop(dc);
    const before = (await dc.evaluateRequest({ expression: 'input.mean', context: 'repl' })).body.result;
    await stepAndWait(dc, dc.nextRequest({ threadId: 1 }));
    const stop = await stepAndWait(dc, dc.customRequest('restart', { arguments: { ...launchArgs(), input: 'random:11' } }));
    assert.equal(stop.body.reason, 'entry');
    assert.equal((await top(dc)).name, 'conv1');
    assert.notEqual((await dc.evaluateRequest({ expression: 'input.mean', context: 'repl' })).body.result, before);
  });
});

test('a bad model ends the session cleanly: stderr output, error event, terminated', async () => {
  await withClient(async (dc) => {
    const outputs: DebugProtocol.OutputEvent[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => outputs.push(e));
    const terminated = dc.waitForEvent('terminated');
    await dc.initializeRequest();
    const errorEvent = dc.waitForEvent('tritscope/error');
    await dc.launch({ model: path.join(dir, 'missing.tnn'), input: 'random' });
    await terminated;
    assert.match(String((await errorEvent).body.message), /missing\.tnn/);
    const err = outputs.find((o) => o.body.category === 'stderr');
    assert.ok(err, 'a stderr output event');
    assert.match(err.body.output, /missing\.tnn/);
  });
});

test('a bad input spec ends the session the same way, naming the input', async () => {
  await withClient(async (dc) => {
    const outputs: DebugProtocol.OutputEvent[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => outputs.push(e));
    const terminated = dc.waitForEvent('terminated');
    await dc.initializeRequest();
    await dc.launch({ model: modelPath, input: path.join(dir, 'nope.npy') });
    await terminated;
    assert.match(outputs.filter((o) => o.body.category === 'stderr').map((o) => o.body.output).join(''), /nope\.npy/);
  });
});

test('with listingBySourceReference the frames carry a sourceReference whose content is the listing', async () => {
  await withClient(async (dc) => {
    await launchAndStop(dc, { listingBySourceReference: true });
    const frame = await top(dc);
    assert.ok((frame.source?.sourceReference ?? 0) > 0);
    const src = await dc.sourceRequest({ source: frame.source, sourceReference: frame.source!.sourceReference! });
    const lines = src.body.content.split('\n');
    assert.match(lines[frame.line - 1], /^\s+0\s+conv1\s+conv2d 1→4 3×3\s+ternary W\+A$/);
  });
});
