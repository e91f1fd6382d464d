import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceRuntime, type StopInfo, type RuntimeLaunch } from '../../../src/debug/runtime';
import { standInConnection } from './standin';

const LAUNCH: RuntimeLaunch = { model: '/m/standin.tnn', input: 'random:1', compareFloat: true, stopOnEntry: true, divergenceThreshold: 0.2, breakOnDivergence: false };

async function started(launch: Partial<RuntimeLaunch> = {}) {
  const conn = standInConnection();
  const rt = new InferenceRuntime(conn);
  const stops: StopInfo[] = [];
  const outputs: string[] = [];
  let ended = 0;
  rt.on('stopped', (s: StopInfo) => stops.push(s));
  rt.on('output', (_c: string, t: string) => outputs.push(t));
  rt.on('end', () => ended++);
  await rt.load({ ...LAUNCH, ...launch });
  return { rt, stops, outputs, conn, ended: () => ended };
}

test('stop on entry at the first layer; next walks layers; stepping past the end shows the result, then ends', async () => {
  const { rt, stops, outputs, ended } = await started();
  await rt.start();
  assert.deepEqual(rt.position, { layer: 0, sub: -1 });
  assert.equal(stops[0].reason, 'entry');
  assert.equal(await rt.lineOf(rt.position), rt.listing!.layers[0].line);
  await rt.next();
  assert.deepEqual(rt.position, { layer: 1, sub: -1 });
  for (let i = 0; i < 4; i++) await rt.next();
  assert.equal(rt.atResult, true);
  assert.equal(await rt.lineOf(rt.position), rt.listing!.resultLine);
  assert.match(outputs.join(''), /prediction: (cat|dog|eel) \(class \d, p=/);
  assert.equal(ended(), 0);
  await rt.next();
  assert.equal(ended(), 1);
});

test('stepIn enters sub-steps, next walks them, stepOut finishes the layer', async () => {
  const { rt } = await started();
  await rt.start();
  await rt.stepIn();
  assert.deepEqual(rt.position, { layer: 0, sub: 0 });
  assert.equal(await rt.lineOf(rt.position), rt.listing!.layers[0].subSteps[0].line);
  await rt.next();
  assert.deepEqual(rt.position, { layer: 0, sub: 1 });
  assert.equal(await rt.lineOf(rt.position), rt.listing!.layers[0].subSteps[1].line);
  await rt.stepOut();
  assert.deepEqual(rt.position, { layer: 1, sub: -1 });
  await rt.stepBack();
  assert.deepEqual(rt.position, { layer: 0, sub: -1 });
});

test('continue stops at a layer breakpoint; reverseContinue returns to an earlier one', async () => {
  const { rt, stops } = await started();
  await rt.start();
  const res = rt.setBreakpoints([{ line: rt.listing!.layers[1].line }, { line: rt.listing!.layers[3].line }, { line: 1 }]);
  assert.deepEqual(res.map((r) => r.verified), [true, true, false]);
  await rt.continue();
  assert.equal(rt.position.layer, 1);
  assert.equal(stops.at(-1)!.reason, 'breakpoint');
  await rt.continue();
  assert.equal(rt.position.layer, 3);
  await rt.reverseContinue();
  assert.equal(rt.position.layer, 1);
  await rt.reverseContinue();
  assert.deepEqual(rt.position, { layer: 0, sub: -1 });
  assert.equal(stops.at(-1)!.reason, 'entry');
});

test('a breakpoint on a sub-step line stops at that sub-step', async () => {
  const { rt } = await started();
  await rt.start();
  rt.setBreakpoints([{ line: rt.listing!.layers[0].subSteps[2].line }]);
  await rt.continue();
  assert.deepEqual(rt.position, { layer: 0, sub: 2 });
});

test('conditional breakpoints fire only when true and bad conditions are rejected', async () => {
  const { rt, stops } = await started();
  await rt.start();
  const lines = rt.listing!.layers.map((l) => l.line);
  const res = rt.setBreakpoints([
    { line: lines[1], condition: 'output.max > 1000' },
    { line: lines[2], condition: 'index == 2 && output.size == 32' },
    { line: lines[3], condition: 'bogus > 1' },
    { line: lines[4], condition: 'divergence >' },
  ]);
  assert.deepEqual(res.map((r) => r.verified), [true, true, false, false]);
  assert.match(res[2].message!, /unknown identifier 'bogus'/);
  assert.match(res[3].message!, /end of expression/);
  await rt.continue();
  assert.equal(rt.position.layer, 2, 'skips layer 1 where output.max > 1000 is false');
  assert.equal(stops.at(-1)!.reason, 'breakpoint');
  await rt.continue();
  assert.equal(rt.atResult, true);
});

test('divergence conditions need compareFloat', async () => {
  const { rt } = await started({ compareFloat: false });
  await rt.start();
  const [r] = rt.setBreakpoints([{ line: rt.listing!.layers[1].line, condition: 'divergence > 0.1' }]);
  assert.equal(r.verified, false);
  assert.match(r.message!, /compareFloat/);
});

test('break on divergence stops at the first layer above the threshold with an exception stop', async () => {
  const { rt, stops } = await started({ breakOnDivergence: true, divergenceThreshold: 0.3 });
  await rt.start();
  await rt.continue();
  const s = await rt.summary(rt.position.layer);
  assert.ok(s.float!.relL2 > 0.3);
  for (let i = 1; i < rt.position.layer; i++) assert.ok((await rt.summary(i)).float!.relL2 <= 0.3);
  assert.equal(stops.at(-1)!.reason, 'exception');
  assert.match(stops.at(-1)!.text!, /divergence 0\.\d+ > 0\.3 at layer \w+ /);
});

test('pause stops a continue at the next layer boundary', async () => {
  const { rt, stops } = await started();
  await rt.start();
  const run = rt.continue();
  rt.pause();
  await run;
  assert.equal(stops.at(-1)!.reason, 'pause');
  assert.ok(rt.position.layer >= 1 && !rt.atResult);
});

test('evaluate reads the current layer and other layers by name', async () => {
  const { rt } = await started();
  await rt.start();
  await rt.next();
  const s1 = await rt.summary(1);
  assert.equal(await rt.evaluate('output.max'), s1.output.max);
  assert.equal(await rt.evaluate('layer("conv1").output.min'), (await rt.summary(0)).output.min);
  assert.equal(await rt.evaluate('layer("conv1").divergence < layer("fc").divergence'), true);
  await assert.rejects(rt.evaluate('layer("nope").output'), /unknown layer 'nope'/);
});

test('restart with a new input recomputes from the first layer', async () => {
  const { rt, conn } = await started();
  await rt.start();
  await rt.next();
  const before = (await rt.summary(1)).output.max;
  await rt.restart('random:5');
  assert.deepEqual(rt.position, { layer: 0, sub: -1 });
  assert.equal(conn.loader.steppers.length, 2);
  assert.notEqual((await rt.summary(1)).output.max, before);
});

test('stepping back and forth reuses the engine cache instead of recomputing', async () => {
  const { rt, conn } = await started();
  await rt.start();
  for (let i = 0; i < 3; i++) await rt.next();
  for (let i = 0; i < 3; i++) await rt.stepBack();
  for (let i = 0; i < 3; i++) await rt.next();
  assert.equal(conn.loader.steppers[0].computed, 4);
});

test('layers without sub-step lines step over on stepIn; W-only layers have matmul and bias sub-steps', async () => {
  const { rt } = await started();
  await rt.start();
  await rt.next();
  await rt.stepIn();
  assert.deepEqual(rt.position, { layer: 2, sub: -1 }, 'relu has no sub-steps: stepIn moves on');
  await rt.next();
  await rt.stepIn();
  const fc = rt.listing!.layers[3];
  assert.deepEqual(fc.subSteps.map((s) => s.kind), ['ternary-matmul', 'bias-bn']);
  assert.equal(await rt.lineOf(rt.position), fc.subSteps[0].line);
  await rt.next();
  assert.equal(await rt.lineOf(rt.position), fc.subSteps[1].line);
  await rt.stepBack();
  assert.equal(await rt.lineOf(rt.position), fc.subSteps[0].line);
  await rt.stepBack();
  assert.deepEqual(rt.position, { layer: 3, sub: -1 });
  await rt.stepBack();
  assert.deepEqual(rt.position, { layer: 2, sub: -1 });
});
