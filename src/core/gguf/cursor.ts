/**
 * A bounds-checked little-endian reader over a prefix of a file. Running past
 * the prefix but not past the file raises NeedMoreBytes (the async driver reads
 * a longer prefix and parses again); running past the file is a format error
 * naming the field and its offset.
 */
import { WeightsFormatError } from '../weights/errors';

/** Internal signal: the parse needs at least `bytes` bytes of prefix. Never escapes reader.ts. */
export class NeedMoreBytes {
  constructor(readonly bytes: number) {}
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class Cursor {
  pos = 0;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly fileSize: number,
    readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(field: string, detail: string, offset = this.pos): never {
    throw new WeightsFormatError(this.file, field, detail, offset);
  }

  /** Bytes of the file after the cursor (an upper bound for any count read here). */
  get remainingInFile(): number {
    return this.fileSize - this.pos;
  }

  need(n: number, field: string): void {
    const end = this.pos + n;
    if (end > this.fileSize) this.fail(field, `needs ${n} bytes but the file ends after ${this.fileSize - this.pos} (truncated file?)`);
    if (end > this.bytes.length) throw new NeedMoreBytes(end);
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.pos++];
  }

  i8(field: string): number {
    this.need(1, field);
    return this.view.getInt8(this.pos++);
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  i16(field: string): number {
    this.need(2, field);
    const v = this.view.getInt16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(field: string): number {
    this.need(4, field);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f32(field: string): number {
    this.need(4, field);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(field: string): number {
    this.need(8, field);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  u64big(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  i64big(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A u64 that must fit a JavaScript safe integer and be ≤ `max` (counts, sizes, offsets). */
  count(field: string, max: number, what: string): number {
    const at = this.pos;
    const v = this.u64big(field);
    if (v > BigInt(max)) this.fail(field, `${v} ${what} exceeds the limit of ${max}`, at);
    return Number(v);
  }

  /** gguf_string: u64 length, then that many UTF-8 bytes (no terminator). */
  string(field: string, maxBytes: number): string {
    const at = this.pos;
    const big = this.u64big(`${field} length`);
    if (big > BigInt(maxBytes)) this.fail(`${field} length`, `${big} bytes exceeds the ${maxBytes}-byte cap for this string`, at);
    const n = Number(big);
    if (n > this.remainingInFile) this.fail(`${field} length`, `${n} bytes runs past the end of the file (${this.remainingInFile} bytes left)`, at);
    this.need(n, field);
    try {
      const s = utf8.decode(this.bytes.subarray(this.pos, this.pos + n));
      this.pos += n;
      return s;
    } catch {
      return this.fail(field, 'is not valid UTF-8', at + 8);
    }
  }
}
