/**
 * package.json is static, so VS Code's menus, custom editors and task schema
 * cannot call the registry: this test keeps them equal to what the registry derives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatsFor, MODEL_FORMATS, namePatterns, namesText, whenClause } from '../../../src/core/model-formats/index';

interface Manifest {
  contributes: {
    customEditors: Array<{ viewType: string; selector: Array<{ filenamePattern: string }>; priority?: string }>;
    menus: Record<string, Array<{ command: string; when?: string }>>;
    taskDefinitions: Array<{ type: string; properties: Record<string, { description?: string }> }>;
  };
}

const manifest = JSON.parse(readFileSync(path.join(process.cwd(), 'package.json'), 'utf8')) as Manifest;
const menu = (where: string, command: string) => manifest.contributes.menus[where].find((m) => m.command === command);

test('the explorer offers "Quantize to ternary" on exactly the files the registry can quantize', () => {
  assert.equal(menu('explorer/context', 'tritscope.quantize')?.when, whenClause('quantize'));
});

test('"Compare" in the explorer is offered on the formats that hold ternary models', () => {
  const tnn = MODEL_FORMATS.filter((f) => f.produces === 'tnn').flatMap((f) => f.extensions.map((e) => `resourceExtname == ${e}`));
  assert.equal(menu('explorer/context', 'tritscope.compare')?.when, `${tnn.join(' || ')} && listMultiSelection`);
});

test('the model viewer is registered for every format that can be viewed, and only those', () => {
  const patterns = manifest.contributes.customEditors.filter((e) => e.viewType.startsWith('tritscope.')).flatMap((e) => e.selector.map((s) => s.filenamePattern));
  const viewable = formatsFor('view').flatMap(namePatterns);
  for (const p of viewable) assert.ok(patterns.includes(p), `package.json customEditors: add a selector { "filenamePattern": "${p}" }`);
  for (const p of patterns) assert.ok(viewable.includes(p), `package.json customEditors: ${p} is not a viewable format in the registry`);
});

test('"Open in Tritscope" in the explorer is offered on exactly the files the viewer opens', () => {
  assert.equal(menu('explorer/context', 'tritscope.openInViewer')?.when, whenClause('view'));
});

test('safetensors files are not taken over: their viewer is an option, GGUF and .tnn open in it by default', () => {
  const priorityOf = (pattern: string) => manifest.contributes.customEditors.find((e) => e.selector.some((s) => s.filenamePattern === pattern))?.priority;
  assert.equal(priorityOf('*.safetensors'), 'option');
  assert.equal(priorityOf('*.gguf'), 'default');
  assert.equal(priorityOf('*.tnn'), 'default');
});

test('the tritscope task schema describes the source models the registry accepts', () => {
  const model = manifest.contributes.taskDefinitions.find((t) => t.type === 'tritscope')?.properties.model;
  assert.ok(model?.description?.includes(`(${namesText('quantize')})`), `taskDefinitions.model.description should name (${namesText('quantize')}); it says: ${model?.description}`);
});
