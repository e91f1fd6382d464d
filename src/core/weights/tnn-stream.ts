/**
 * A streaming writer of `.tnn` files (docs/tnn-format.md; weights-only files §10)
 * for models too large to build in memory. The header is written first with
 * every size known up front and a placeholder checksum of the final length; the
 * data region is hashed while it is written, then the real checksum is written
 * over the placeholder. The output goes to `<target>.<random>.tmp` in the same
 * folder (a tracked name, src/core/temp-files.ts), is validated with
 * peekTnnHeader, fsynced and renamed; the temp file is removed on every failure,
 * cancel included. The last abort check and the rename are one synchronous step.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsync, openSync, renameSync, write } from 'node:fs';
import { promisify } from 'node:util';
import { peekTnnHeader } from '../format/index';
import { discardTemp, releaseTemp, trackTemp } from '../temp-files';
import { HEADER_PREFIX_BYTES, METADATA_KEY, type Dtype } from '../format/index';
import { WeightsAbortError } from './errors';

export interface PlannedTensor {
  name: string;
  dtype: Dtype;
  /** Safetensors (stored) shape. */
  shape: number[];
  byteLength: number;
}

const writeAsync = promisify(write);
const fsyncAsync = promisify(fsync);

const PLACEHOLDER = `sha256:${'0'.repeat(64)}`;
const WRITE_BUFFER = 4 << 20;

export class TnnStreamWriter {
  private position = 0;
  private readonly hash = createHash('sha256');
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private closed = false;
  private constructor(
    private readonly fd: number,
    private readonly temp: string,
    private readonly checksumAt: number,
    private readonly dataStart: number,
    private readonly dataLength: number,
  ) {}

  /**
   * Opens `<target>.<random>.tmp` and writes the header. Tensors are then written in
   * `tensors` order with write(); `metadata` must not contain `checksum`.
   */
  static async create(target: string, tensors: PlannedTensor[], metadata: Record<string, string>): Promise<TnnStreamWriter> {
    let offset = 0;
    // __metadata__ first with checksum as its first key: the placeholder's byte position is then fixed and unique.
    const header = Object.fromEntries([
      [METADATA_KEY, { checksum: PLACEHOLDER, ...metadata }],
      ...tensors.map((t) => [t.name, { dtype: t.dtype, shape: t.shape, data_offsets: [offset, (offset += t.byteLength)] }]),
    ]);
    const json = new TextEncoder().encode(JSON.stringify(header));
    const headerLength = Math.ceil(json.length / 8) * 8;
    const head = new Uint8Array(HEADER_PREFIX_BYTES + headerLength).fill(0x20);
    new DataView(head.buffer).setUint32(0, headerLength, true);
    new DataView(head.buffer).setUint32(4, 0, true);
    head.set(json, HEADER_PREFIX_BYTES);
    const checksumAt = HEADER_PREFIX_BYTES + indexOf(json, new TextEncoder().encode(PLACEHOLDER));
    const temp = trackTemp(target);
    let fd: number;
    try {
      fd = openSync(temp, 'wx');
    } catch (e) {
      discardTemp(temp);
      throw e;
    }
    const w = new TnnStreamWriter(fd, temp, checksumAt, head.length, offset);
    try {
      await writeAsync(fd, head, 0, head.length, 0);
    } catch (e) {
      await w.abandon();
      throw e;
    }
    w.position = head.length;
    return w;
  }

  /** Appends data-region bytes (copied if buffered; callers may reuse `bytes`). */
  async write(bytes: Uint8Array): Promise<void> {
    this.hash.update(bytes);
    this.pending.push(bytes.slice());
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= WRITE_BUFFER) await this.flush();
  }

  private async flush(): Promise<void> {
    for (const part of this.pending) {
      await writeAsync(this.fd, part, 0, part.length, this.position);
      this.position += part.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Writes the checksum, validates the header, fsyncs and renames over `target`. */
  async commit(target: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.flush();
      if (this.position !== this.dataStart + this.dataLength) throw new Error(`tnn writer: wrote ${this.position - this.dataStart} data bytes, planned ${this.dataLength}`);
      if (signal?.aborted) throw new WeightsAbortError(target);
      const sum = new TextEncoder().encode(`sha256:${this.hash.digest('hex')}`);
      await writeAsync(this.fd, sum, 0, sum.length, this.checksumAt);
      await fsyncAsync(this.fd);
      this.close();
      await peekTnnHeader(this.temp, target);
      if (signal?.aborted) throw new WeightsAbortError(target);
      renameSync(this.temp, target);
      releaseTemp(this.temp);
    } catch (e) {
      await this.abandon();
      throw e;
    }
  }

  /** Closes and removes the temp file (idempotent). */
  async abandon(): Promise<void> {
    this.close();
    discardTemp(this.temp);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed by the OS on error */
    }
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('tnn writer: checksum placeholder not found in the header');
}

/** Packs a stream of trits 5 per byte (docs/tnn-format.md §3), carrying up to 4 trits between runs. */
export class TritPacker {
  private carry = new Int8Array(5);
  private carried = 0;
  count = 0;
  constructor(private readonly out: (bytes: Uint8Array) => Promise<void>) {}

  async push(trits: Int8Array): Promise<void> {
    this.count += trits.length;
    let k = 0;
    const bytes = new Uint8Array(Math.floor((this.carried + trits.length) / 5));
    let j = 0;
    if (this.carried) {
      while (this.carried < 5 && k < trits.length) this.carry[this.carried++] = trits[k++];
      if (this.carried < 5) return;
      bytes[j++] = pack5(this.carry, 0);
      this.carried = 0;
    }
    for (; k + 5 <= trits.length; k += 5) bytes[j++] = pack5(trits, k);
    while (k < trits.length) this.carry[this.carried++] = trits[k++];
    if (j) await this.out(bytes.subarray(0, j));
  }

  /** Writes the last partial byte, padding with digit 1 (trit 0). */
  async end(): Promise<void> {
    if (!this.carried) return;
    for (let i = this.carried; i < 5; i++) this.carry[i] = 0;
    this.carried = 0;
    await this.out(Uint8Array.of(pack5(this.carry, 0)));
  }
}

function pack5(t: Int8Array, k: number): number {
  return t[k] + 1 + 3 * (t[k + 1] + 1) + 9 * (t[k + 2] + 1) + 27 * (t[k + 3] + 1) + 81 * (t[k + 4] + 1);
}
