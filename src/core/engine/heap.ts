/**
 * One WebAssembly.Memory per engine: packed weights live at the bottom for the
 * engine's lifetime, per-call scratch (packed activations, im2col buffers,
 * accumulators) is bump-allocated above them and released with `resetScratch`.
 * The same memory backs the TypeScript fallback kernels, so both paths see
 * identical layouts.
 */
const PAGE = 65536;

export class Heap {
  private top = 16; // offset 0 is never handed out
  private scratchBase = 16;
  private views?: { buffer: ArrayBuffer; u8: Uint8Array; i8: Int8Array; i32: Int32Array; u32: Uint32Array; f32: Float32Array; f64: Float64Array };

  constructor(readonly memory: WebAssembly.Memory) {}

  /**
   * 16-byte aligned block of `bytes`; zero-filled unless the caller overwrites all of it (`zero` false).
   * 16 bytes past the block stay inside memory: kernels read whole 16-byte chunks of byte-granular planes.
   */
  alloc(bytes: number, zero = true): number {
    const at = (this.top + 15) & ~15;
    const end = at + Math.max(16, bytes);
    const have = this.memory.buffer.byteLength;
    if (end + 16 > have) this.memory.grow(Math.ceil((end + 16 - have) / PAGE));
    this.top = end;
    if (zero) this.u8.fill(0, at, end);
    return at;
  }

  /** Everything allocated so far stays (weights); later allocations are scratch. */
  sealPersistent(): void {
    this.scratchBase = this.top;
  }

  /** Current top, to release back to with `release` (nested scratch). */
  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  resetScratch(): void {
    this.top = this.scratchBase;
  }

  get persistentBytes(): number {
    return this.scratchBase;
  }

  private get v() {
    const buffer = this.memory.buffer;
    if (!this.views || this.views.buffer !== buffer) {
      this.views = { buffer, u8: new Uint8Array(buffer), i8: new Int8Array(buffer), i32: new Int32Array(buffer), u32: new Uint32Array(buffer), f32: new Float32Array(buffer), f64: new Float64Array(buffer) };
    }
    return this.views;
  }
  get u8(): Uint8Array { return this.v.u8; }
  get i8(): Int8Array { return this.v.i8; }
  get i32(): Int32Array { return this.v.i32; }
  get u32(): Uint32Array { return this.v.u32; }
  get f32(): Float32Array { return this.v.f32; }
  get f64(): Float64Array { return this.v.f64; }
}
