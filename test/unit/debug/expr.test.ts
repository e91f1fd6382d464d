import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateExpression, ExpressionError, freeIdentifiers, parseExpression, tokenize, formatValue } from '../../../src/debug/expr';

const env = { divergence: 0.25, sparsity: 0.4, output: { max: 12, min: -3 }, name: 'conv2', f: (x: unknown) => (typeof x === 'number' ? x * 2 : 0) };

test('tokenizer splits numbers, names, strings and two-char operators', () => {
  assert.deepEqual(tokenize('a.b>=1.5e2&&!c("x")').map((t) => t.text), ['a', '.', 'b', '>=', '1.5e2', '&&', '!', 'c', '(', 'x', ')', '']);
});

test('comparisons, && || ! and parentheses follow precedence', () => {
  assert.equal(evaluateExpression('divergence > 0.2', env), true);
  assert.equal(evaluateExpression('divergence > 0.2 && sparsity < 0.3', env), false);
  assert.equal(evaluateExpression('divergence > 0.2 && sparsity < 0.3 || output.max > 10', env), true);
  assert.equal(evaluateExpression('divergence > 0.2 && (sparsity < 0.3 || output.max > 100)', env), false);
  assert.equal(evaluateExpression('!(output.min < 0)', env), false);
  assert.equal(evaluateExpression('1 + 2 * 3 == 7', env), true);
  assert.equal(evaluateExpression('-output.min', env), 3);
  assert.equal(evaluateExpression('.5 <= 0.5', env), true);
  assert.equal(evaluateExpression('name == "conv2"', env), true);
  assert.equal(evaluateExpression('f(21)', env), 42);
});

test('unknown identifiers and fields give errors that name them', () => {
  assert.throws(() => evaluateExpression('divergnce > 0.2', env), (e: unknown) => e instanceof ExpressionError && /unknown identifier 'divergnce'/.test(e.message) && /divergence/.test(e.message));
  assert.throws(() => evaluateExpression('output.mx > 1', env), /unknown field 'mx'.*max/);
  assert.throws(() => evaluateExpression('sparsity.max', env), /cannot read field 'max' of a number/);
});

test('syntax errors carry the column', () => {
  assert.throws(() => parseExpression('divergence > '), /column 14.*end of expression/);
  assert.throws(() => parseExpression('(a > 1'), /expected '\)'/);
  assert.throws(() => parseExpression('a > 1 > 2'), /cannot be chained/);
  assert.throws(() => parseExpression('a # b'), /unexpected character '#'/);
  assert.throws(() => parseExpression('   '), /empty expression/);
  assert.throws(() => parseExpression('"abc'), /unterminated string/);
});

test('no code execution: property names of Object.prototype are unknown', () => {
  assert.throws(() => evaluateExpression('constructor', env), /unknown identifier/);
  assert.throws(() => evaluateExpression('output.constructor', env), /unknown field/);
  assert.throws(() => evaluateExpression('output.__proto__', env), /unknown field/);
});

test('freeIdentifiers lists top-level names only', () => {
  assert.deepEqual(freeIdentifiers(parseExpression('a.b > c && layer("x").output.max < d')).sort(), ['a', 'c', 'd', 'layer']);
});

test('formatValue prints short numbers and records', () => {
  assert.equal(formatValue(0.25), '0.25');
  assert.equal(formatValue(3), '3');
  assert.equal(formatValue({ max: 1.5, min: 0 }), '{max: 1.5, min: 0}');
});

test('deep nesting gives an ExpressionError, not a stack overflow (issue #15, defect 7)', () => {
  const tooDeep = (e: unknown) => e instanceof ExpressionError && /nested more than 100 levels deep/.test(e.message);
  const parens = `${'('.repeat(10_000)}1${')'.repeat(10_000)}`;
  assert.throws(() => parseExpression(parens), tooDeep);
  assert.throws(() => evaluateExpression(parens, env), tooDeep);
  assert.throws(() => parseExpression(`${'-'.repeat(10_000)}1`), tooDeep);
  assert.throws(() => parseExpression(`${'!'.repeat(10_000)}true`), tooDeep);
  // A long flat operator chain builds a deep left-nested tree: bounded too.
  assert.throws(() => parseExpression(Array(50_000).fill('1').join('+')), tooDeep);
  assert.throws(() => parseExpression(`f(${'f('.repeat(5_000)}1${')'.repeat(5_001)}`), tooDeep);
  // Ordinary nesting still works.
  assert.equal(evaluateExpression(`${'('.repeat(50)}divergence${')'.repeat(50)} > 0.2`, env), true);
  assert.equal(evaluateExpression(Array(60).fill('1').join('+'), env), 60);
});
