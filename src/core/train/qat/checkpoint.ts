/**
 * Per-epoch training checkpoints so `--resume` continues a cancelled run:
 * one file `<out>.ckpt` = 8-byte header length + JSON header + float32 blob of
 * every variable and the optimizer's slots, written atomically.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { TritscopeError } from '../../errors';
import type { Tf } from '../backend';
import { writeFileAtomicSync } from '../../format/index';
import type { QatNet } from './qat-net';
import type { ActStats } from './quantizers';

export class CheckpointError extends TritscopeError {}

interface Entry { name: string; shape: number[]; offset: number; length: number }

export interface CheckpointHeader {
  /** Fingerprint of the run's options: a checkpoint only resumes the same configuration. */
  config: string;
  stage: number;
  /** Epochs completed in `stage`. */
  epoch: number;
  variables: Entry[];
  optimizer: Entry[];
  actStats: Record<string, ActStats>;
  elapsedSeconds: number;
}

export function checkpointPath(out: string): string {
  return `${out}.ckpt`;
}

export async function saveCheckpoint(file: string, net: QatNet, opt: tfjs.Optimizer, meta: Pick<CheckpointHeader, 'config' | 'stage' | 'epoch' | 'elapsedSeconds'>): Promise<void> {
  const chunks: Float32Array[] = [];
  let offset = 0;
  const put = (name: string, t: tfjs.Tensor): Entry => {
    const d = t.dataSync() as Float32Array;
    chunks.push(d);
    const e = { name, shape: t.shape, offset, length: d.length };
    offset += d.length;
    return e;
  };
  const variables = [...net.namedVariables()].map(([n, v]) => put(n, v));
  const optimizer = (await opt.getWeights()).map((w) => put(w.name, w.tensor));
  const actStats: CheckpointHeader['actStats'] = {};
  for (const [n, q] of net.actQ) { const st = q.stats; if (st) actStats[n] = st; }
  // Optimizer slots are named after the variables, which carry this net's prefix.
  for (const e of optimizer) if (e.name.startsWith(net.prefix)) e.name = e.name.slice(net.prefix.length);
  const header = Buffer.from(JSON.stringify({ ...meta, variables, optimizer, actStats } satisfies CheckpointHeader));
  const blob = new Uint8Array(8 + header.length + offset * 4);
  new DataView(blob.buffer).setBigUint64(0, BigInt(header.length), true);
  blob.set(header, 8);
  let o = 8 + header.length;
  for (const c of chunks) { blob.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), o); o += c.byteLength; }
  writeFileAtomicSync(file, blob);
}

/** Restores variables, optimizer slots and activation statistics; returns the header, or undefined when there is no checkpoint. */
export async function loadCheckpoint(tf: Tf, file: string, net: QatNet, opt: tfjs.Optimizer, config: string): Promise<CheckpointHeader | undefined> {
  if (!existsSync(file)) return undefined;
  const bytes = readFileSync(file);
  const len = Number(bytes.readBigUInt64LE(0));
  let h: CheckpointHeader;
  try {
    h = JSON.parse(bytes.subarray(8, 8 + len).toString('utf8')) as CheckpointHeader;
  } catch {
    throw new CheckpointError(`${file}: header: expected JSON, the checkpoint is damaged (delete it to start over)`);
  }
  if (h.config !== config) throw new CheckpointError(`${file}: config: the checkpoint was written by a run with different options (delete it or rerun with the same options)`);
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 8 + len, bytes.byteOffset + bytes.length));
  const vars = net.namedVariables();
  for (const e of h.variables) {
    const v = vars.get(e.name);
    if (!v) throw new CheckpointError(`${file}: variables: '${e.name}' does not exist in this model`);
    v.assign(tf.tensor(data.subarray(e.offset, e.offset + e.length), e.shape));
  }
  await opt.setWeights(h.optimizer.map((e) => ({ name: e.name === 'iter' ? e.name : net.prefix + e.name, tensor: tf.tensor(data.subarray(e.offset, e.offset + e.length), e.shape) })));
  for (const [n, s] of Object.entries(h.actStats)) {
    const q = net.actQ.get(n);
    if (q) q.stats = s;
  }
  return h;
}

export function removeCheckpoint(file: string): void {
  rmSync(file, { force: true });
}
