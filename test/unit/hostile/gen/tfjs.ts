/**
 * Hostile TF.js models: weight shard paths that leave the folder (../, absolute,
 * symlinks), special files as shards (FIFO, /dev/zero), the same shard many
 * times, malformed manifests, and an amplified model.json.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HostileCase } from '../harness/cli-runner';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- surgery on untyped model.json
type Json = Record<string, any>;

interface Mutation {
  name: string;
  /** Edits the parsed model.json; may create files in the model's folder `dir`. */
  edit: (json: Json, dir: string) => void;
}

const group = (json: Json): Json => json.weightsManifest[0];

function mutations(secret: string): Mutation[] {
  return [
    { name: 'shard path ../secret', edit: (j) => { group(j).paths = ['../secret.bin']; } },
    { name: 'absolute shard path', edit: (j) => { group(j).paths = [secret]; } },
    { name: 'symlinked shard pointing outside', edit: (j, d) => { symlinkSync(secret, path.join(d, 'link.bin')); group(j).paths = ['link.bin']; } },
    { name: 'shard symlinked to /dev/zero', edit: (j, d) => { symlinkSync('/dev/zero', path.join(d, 'zero.bin')); group(j).paths = ['zero.bin']; } },
    { name: 'shard is a FIFO', edit: (j, d) => { execFileSync('mkfifo', [path.join(d, 'fifo.bin')]); group(j).paths = ['fifo.bin']; } },
    { name: 'shard is a directory', edit: (j, d) => { mkdirSync(path.join(d, 'sub')); group(j).paths = ['sub']; } },
    { name: 'the same shard 256 times', edit: (j) => { group(j).paths = new Array(256).fill('weights.bin'); } },
    { name: 'weights claim 4 GiB', edit: (j) => { group(j).weights = Array.from({ length: 256 }, (_, i) => ({ name: `w${i}`, shape: [1024, 4096], dtype: 'float32' })); } },
    { name: 'shape "abc"', edit: (j) => { group(j).weights[0].shape = 'abc'; } },
    { name: 'shape [-1]', edit: (j) => { group(j).weights[0].shape = [-1]; } },
    { name: 'shape [1e6, 1e6]', edit: (j) => { group(j).weights[0].shape = [1e6, 1e6]; } },
    { name: 'null group', edit: (j) => { j.weightsManifest[0] = null; } },
    { name: 'numeric path', edit: (j) => { group(j).paths = [42]; } },
    { name: 'weightsManifest an object', edit: (j) => { j.weightsManifest = { paths: [] }; } },
    { name: 'shard shorter than the weights', edit: (j, d) => { writeFileSync(path.join(d, 'weights.bin'), new Uint8Array(100)); } },
    { name: 'missing shard', edit: (j) => { group(j).paths = ['nope.bin']; } },
    { name: 'quantized weights', edit: (j) => { group(j).weights[0].quantization = { dtype: 'uint8', scale: 1, min: 0 }; } },
    { name: 'model.json nested 1 M levels', edit: (j) => { j.modelTopology.config.layers[0].config.kernel_size = 'NEST'; } },
    { name: 'batch_input_shape [null, 1e6, 1e6, 1]', edit: (j) => { j.modelTopology.config.layers[0].config.batch_input_shape = [null, 1e6, 1e6, 1]; } },
    { name: 'layer config kernel_size "abc"', edit: (j) => { j.modelTopology.config.layers[0].config.kernel_size = 'abc'; } },
  ];
}

export function tfjsCases(root: string, baseModelJson: string, secret: string): HostileCase[] {
  const base = JSON.parse(readFileSync(baseModelJson, 'utf8')) as Json;
  const weights = path.join(path.dirname(baseModelJson), 'weights.bin');
  return mutations(secret).map((m, i): HostileCase => {
    const dir = path.join(root, `tfjs-${i}`);
    mkdirSync(dir, { recursive: true });
    copyFileSync(weights, path.join(dir, 'weights.bin'));
    const json = structuredClone(base);
    m.edit(json, dir);
    const file = path.join(dir, 'model.json');
    let text = JSON.stringify(json);
    if (text.includes('"NEST"')) text = text.replace('"NEST"', `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`);
    writeFileSync(file, text);
    return {
      reader: 'tfjs', name: m.name, inputs: [file, path.join(dir, 'weights.bin'), secret], dir, expect: 'reject',
      ...(m.name.startsWith('layer config') ? { awaits: 'op-table (TF.js layer attribute validation)' } : {}),
      commands: [['quantize', file, '-o', '{out}', '--method', 'twn'], ['run', file, '--input', 'random:1', '--engine', 'reference']],
    };
  });
}
