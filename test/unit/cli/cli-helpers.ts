/** Runs the CLI in-process with captured output, and writes fixture files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../../src/cli/run';
import { encodeNpy } from '../../../src/core/data/index';
import { exportOnnx } from '../../../src/core/import/index';
import { tinyCnn, tinyData } from '../quant/models';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(...argv: string[]): Promise<CliResult> {
  let stdout = '', stderr = '';
  const code = await runCli(argv, {
    stdout: (s) => { stdout += s; },
    stderr: (s) => { stderr += s; },
    isTTY: false,
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

/** A temp dir holding tiny.onnx (the tinyCnn model) and a matching npy data set of n samples. */
export function fixtureDir(n = 40): { dir: string; onnx: string; data: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-cli-'));
  const onnx = path.join(dir, 'tiny.onnx');
  writeFileSync(onnx, exportOnnx(tinyCnn()));
  const d = tinyData(n);
  const x = path.join(dir, 'x.npy');
  const y = path.join(dir, 'y.npy');
  writeFileSync(x, encodeNpy({ dtype: '<f4', shape: [n, 1, 8, 8], data: d.images }));
  writeFileSync(y, encodeNpy({ dtype: '<i4', shape: [n], data: d.labels }));
  return { dir, onnx, data: `npy:${x},${y}` };
}
