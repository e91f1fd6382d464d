/**
 * `tritscope convert <model.gguf|model.safetensors> [-o out.tnn] [--force]` —
 * writes the model's ternary tensors (packed trits + scales) and other tensors
 * into a weights-only `.tnn` (docs/tnn-format.md §10). Streams; never writes
 * over the input; over an existing output only with --force; atomically.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { optFlag, optString, type ParsedArgs } from '../args';
import { registerCommand } from './index';
import type { CliIO } from './types';
import { TritscopeError, UsageError } from '../../core/errors';
import { checkOutputPath } from '../../core/output-path';
import { convertToWeightsTnn } from '../../core/weights/convert';
import { detectFileFormat, loadModel } from '../../core/model-formats/index';
import { defaultTnnName } from '../../core/weights/open';
import { humanBytes } from '../../core/weights/table';

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function run(args: ParsedArgs, io: CliIO): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError(`convert: expected exactly one model file, got ${args.positionals.length}`);
  const file = args.positionals[0];
  // The registry detects the format by content (refused before any model is read); only weights-only listings are converted.
  const format = await detectFileFormat(file);
  if (format.id === 'tnn') throw new TritscopeError(`${file}: is already a .tnn file`);
  const out = optString(args, 'out') ?? defaultTnnName(file);
  if (path.resolve(out) === path.resolve(file)) throw new UsageError('convert: the output would overwrite the input model');
  // A missing or read-only folder, or a folder as output: said before the model is read.
  checkOutputPath(out, { force: true });
  if (!optFlag(args, 'force') && (await exists(out))) throw new UsageError(`convert: ${out} exists; pass --force to replace it`);
  const loaded = format.produces === 'weights' ? await loadModel(file, { what: 'model file' }) : null;
  if (loaded?.kind !== 'weights')
    throw new TritscopeError(`${file}: is a ${format.label} model, not a GGUF file or safetensors checkpoint (convert reads weights-only models; float models go through 'tritscope quantize')`);
  const listing = loaded.listing;
  let shown = '';
  const report = await convertToWeightsTnn(listing, out, {
    signal: io.signal,
    onProgress: (p) => {
      if (!io.isTTY) return;
      const line = `${p.phase === 'stats' ? 'reading' : 'writing'} ${Math.floor((100 * p.bytesDone) / Math.max(1, p.bytesTotal))}%`;
      if (line !== shown) io.stderr(`\r${(shown = line)}`);
    },
  });
  if (io.isTTY) io.stderr('\n');
  io.stdout(
    `${out}: ${report.ternaryTensors} ternary tensors (${report.trits} trits), ${report.floatTensors} float tensors, ${report.opaqueTensors} kept as raw bytes; ${humanBytes(report.bytes)} of tensor data\n`,
  );
  return 0;
}

registerCommand({
  name: 'convert',
  usage: 'convert <model.gguf|model.safetensors> [-o out.tnn] [--force]',
  summary: 'write the ternary tensors (packed trits + scales) and metadata of a GGUF or safetensors model into a weights-only .tnn',
  options: [
    { names: ['o', 'out'], value: true, description: 'output .tnn file (default: <model-basename>.tnn beside the model)' },
    { names: ['force'], value: false, description: 'overwrite an existing output file' },
  ],
  run,
});
