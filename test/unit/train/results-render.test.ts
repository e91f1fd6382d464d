import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEADLINE_ROWS, QAT_ROWS, renderResultsMarkdown, type ResultRow, type ResultsReport } from '../../../src/core/train/results';

const row = (name: string, top1: number, kind: ResultRow['kind'] = 'qat'): ResultRow => ({
  model: 'sample CNN', name, kind, weights: kind === 'float' ? 'float' : 'ternary', acts: kind === 'float' ? 'float' : 'ternary',
  top1, epochs: kind === 'float' ? 0 : 6, seconds: 10, backend: 'wasm',
});

const report = (rows: ResultRow[], trainLimit: number, epochs: number): ResultsReport =>
  ({ rows, stepTiming: [], trainLimit, epochs, testSamples: 10000, date: '2026-11-22T00:00:00.000Z' });

test('headline rows name real QAT rows', () => {
  for (const name of HEADLINE_ROWS) assert.ok(QAT_ROWS.some((q) => q.name === name), name);
});

test('results markdown shows the headline run before the ablation table, each with its own goal verdicts', () => {
  const [twn, , paper] = HEADLINE_ROWS;
  const full = report([row('float (sample model)', 0.8926, 'float'), row(twn, 0.8248), row(paper, 0.875)], 20000, 3);
  full.headline = report([row('float (sample model)', 0.8926, 'float'), row(twn, 0.85), row(paper, 0.884)], 60000, 4);
  const md = renderResultsMarkdown(full);
  const head = md.indexOf('## Headline');
  const ablation = md.indexOf('## Full table');
  assert.ok(head > 0 && ablation > head, 'headline section precedes the full table');
  const headText = md.slice(head, ablation);
  assert.match(headText, /all 60000 training images for 4 epochs per stage/);
  // 88.40 vs 89.26: −0.86 points → met; 88.40 vs 85.00: +3.40 → met
  assert.match(headText, /vs float: -0\.86 points \(goal ≥ −1\.0\) — met; vs TWN W\+A: 3\.40 points \(goal ≥ \+1\.0\) — met/);
  // the small-budget table keeps its own (unmet) verdict
  assert.match(md.slice(ablation), /vs float: -1\.76 points \(goal ≥ −1\.0\) — not met/);
});

test('the TWN goal compares against the best TWN W+A row and names it', () => {
  const [twn, twnLong, paper] = HEADLINE_ROWS;
  const r = report([row('float (sample model)', 0.8926, 'float'), row(twn, 0.85), { ...row(twnLong, 0.875), note: 'as many epochs as two-stage' }, row(paper, 0.884)], 60000, 4);
  // 88.40 − 87.50 = +0.90 < 1 → not met, although the 4-epoch TWN row alone would give +3.40
  assert.match(renderResultsMarkdown(r), /vs TWN W\+A \(as many epochs as two-stage\): 0\.90 points \(goal ≥ \+1\.0\) — not met/);
});

test('without a headline run there is no headline section', () => {
  const md = renderResultsMarkdown(report([row('float (sample model)', 0.9, 'float')], 20000, 3));
  assert.equal(md.includes('## Headline'), false);
  assert.ok(md.includes('## Full table'));
});
