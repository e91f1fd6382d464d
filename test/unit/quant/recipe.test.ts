/**
 * Keeps docs/architecture.md's "Recipe: add a quantizer" true: a quantizer is
 * one module named after its id plus one registry line, and nothing else in the
 * sources lists methods by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pytorchMethods, QUANTIZER_IDS } from '../../../src/core/quant/index';

const root = process.cwd();
const read = (rel: string) => readFileSync(path.join(root, rel), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((n) => {
    const rel = path.join(dir, n);
    return statSync(path.join(root, rel)).isDirectory() ? sources(rel) : rel.endsWith('.ts') ? [rel] : [];
  });
}

/**
 * Files that name one specific method on purpose — a choice of that method, not
 * a list of methods — besides its own module. Everything else derives from the registry.
 */
const DELIBERATE: Record<string, string[]> = {
  'asym-uniform': [
    'src/core/quant/registry.ts', // DEFAULT_METHOD: the seed paper's method
    'src/core/train/results.ts', // the paper's ablation rows (Table 3)
    'src/core/train/qat/step-bench.ts', // the step-time goal is stated for the paper's method
    'src/core/bench/sample-cnn.ts', // the bench's model
    'src/extension/quantize/taskProvider.ts', // default of the provided tasks (could use DEFAULT_METHOD)
  ],
  twn: [
    'src/core/train/results.ts', // the TWN W+A baseline the accuracy goal compares with
    'src/core/bench/sample-cnn.ts', // the bench's hand-built ternary model
  ],
};

test('each quantizer is one module named after its id, registered by one line', () => {
  const registry = read('src/core/quant/registry.ts');
  const list = /export const QUANTIZERS = \[([^\]]*)\]/.exec(registry);
  assert.ok(list, 'QUANTIZERS array in registry.ts');
  const entries = list[1].split('\n').map((l) => l.trim()).filter(Boolean);
  assert.equal(entries.length, QUANTIZER_IDS.length, 'one line per quantizer');
  for (const id of QUANTIZER_IDS) {
    const src = read(`src/core/quant/${id}.ts`);
    assert.match(src, new RegExp(`defineQuantizer\\(\\{\\s*id: '${id}'`), `src/core/quant/${id}.ts defines the spec of '${id}'`);
    const exported = new RegExp(`export const (\\w+) = defineQuantizer`).exec(src)![1];
    assert.ok(entries.includes(`${exported},`), `registry.ts lists ${exported}`);
  }
});

test('no source outside a method\'s module names it (the CLI, flow, schema and results derive the lists)', () => {
  const files = [...sources('src'), ...sources('webview')];
  for (const id of QUANTIZER_IDS) {
    const literal = new RegExp(`['"\`]${id.replace(/[-]/g, '\\-')}['"\`]`);
    const naming = files.filter((f) => literal.test(read(f)));
    const allowed = new Set([`src/core/quant/${id}.ts`, ...(DELIBERATE[id] ?? [])]);
    assert.deepEqual(naming.filter((f) => !allowed.has(f)), [], `'${id}' is written outside its module: derive it from the quantizer registry`);
  }
});

test('docs/architecture.md gives the recipe with the file to create and the line to register', () => {
  const doc = read('docs/architecture.md');
  const section = doc.slice(doc.indexOf('## Recipe: add a quantizer'));
  assert.ok(doc.includes('## Recipe: add a quantizer'));
  const body = section.slice(0, section.indexOf('\n## ', 5) > 0 ? section.indexOf('\n## ', 5) : undefined);
  for (const needle of ['src/core/quant/<id>.ts', 'defineQuantizer', 'QUANTIZERS', 'src/core/quant/registry.ts', 'scripts/sync-package-json.mjs', 'scripts/results.mjs --method', 'QatWeightQuantizer']) {
    assert.ok(body.includes(needle), `the recipe mentions ${needle}`);
  }
  // The names it cites exist where it says.
  assert.match(read('src/core/quant/spec.ts'), /export function defineQuantizer/);
  assert.match(read('src/core/train/qat/strategy.ts'), /export interface QatWeightQuantizer/);
});

test('the specs flagged `pytorch` are exactly the methods python/tritscope_torch trains (QAT_METHODS)', () => {
  const tuple = /^QAT_METHODS = \(([^)]*)\)/m.exec(read('python/tritscope_torch/quantizers.py'));
  assert.ok(tuple, 'QAT_METHODS tuple in python/tritscope_torch/quantizers.py');
  const python = [...tuple[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]).sort();
  assert.deepEqual([...pytorchMethods()].sort(), python);
});
