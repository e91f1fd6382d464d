/**
 * Gradient kernels that @tensorflow/tfjs-backend-wasm 4.22 does not register
 * but training needs. Each is composed from ops the wasm backend has (pad,
 * stridedSlice, matMul), so it runs at XNNPACK speed, and is checked against
 * the cpu backend's kernel in test/unit/train/wasm-kernels.test.ts.
 *
 * Missing in 4.22 (found by `tf.getKernel(name, 'wasm')` and by running a
 * training step): Conv2DBackpropFilter. Wrong in 4.22: MaxPoolGrad, which
 * drops the gradient of some windows (e.g. a 2×2 window whose values are all
 * negative gets none; compared with the cpu kernel in the tests), so it is
 * replaced. AvgPoolGrad, Conv2DBackpropInput and FusedBatchNorm agree with
 * cpu; relu's gradient is expressed with `step` + `mul`, which wasm has.
 */
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;
type TensorInfo = tfjs.TensorInfo;

interface WasmLikeBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/** Names of the kernels this module adds to the wasm backend. */
export const WASM_GRAD_KERNELS = ['Conv2DBackpropFilter', 'MaxPoolGrad'] as const;

/**
 * dW[i,j,c,o] = Σ_{n,y,x} xpad[n, y·sH + i·dH, x·sW + j·dW, c] · dy[n,y,x,o].
 * Read with c as the batch, n as the input channel and dy as the filter, this
 * is itself a valid convolution: conv2d(xpadᵀ [C,Hp,Wp,N], dyᵀ [oH,oW,N,O],
 * dilation = stride) → [C,fh,fw,O]. The wasm backend runs that conv with
 * XNNPACK, ~4× faster than per-tap strided slices + matMul (measured: the
 * slices dominate). Dilated forward convs (dH > 1) use the per-tap form.
 */
export function conv2dBackpropFilterViaConv(tf: Tf, x: tfjs.Tensor4D, dy: tfjs.Tensor4D, filterShape: [number, number, number, number],
  strides: number | [number, number], pad: 'valid' | 'same' | number | tfjs.backend_util.ExplicitPadding,
  dimRoundingMode?: 'floor' | 'round' | 'ceil'): tfjs.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { top, left, bottom, right } = info.padInfo;
  const [fh, fw] = filterShape;
  return tf.tidy(() => {
    let xp = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]]) : x;
    // Only rows/cols the forward conv touched: (out−1)·stride + filter.
    const needH = (info.outHeight - 1) * info.strideHeight + fh;
    const needW = (info.outWidth - 1) * info.strideWidth + fw;
    if (xp.shape[1] !== needH || xp.shape[2] !== needW) xp = tf.slice(xp, [0, 0, 0, 0], [-1, needH, needW, -1]);
    const xT = tf.transpose(xp, [3, 1, 2, 0]);
    const dyT = tf.transpose(dy, [1, 2, 0, 3]);
    const g = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [info.strideHeight, info.strideWidth]);
    return tf.transpose(g, [1, 2, 0, 3]);
  });
}

/** Per-tap reference form: for each tap (i,j), Pᵀ·dy with P the strided slice of the padded input (M×C). */
export function conv2dBackpropFilterByTaps(tf: Tf, x: tfjs.Tensor4D, dy: tfjs.Tensor4D, filterShape: [number, number, number, number],
  strides: number | [number, number], pad: 'valid' | 'same' | number | tfjs.backend_util.ExplicitPadding, dilations: number | [number, number] = 1,
  dimRoundingMode?: 'floor' | 'round' | 'ceil'): tfjs.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, false, 'channelsLast');
  const { top, left, bottom, right } = info.padInfo;
  const [fh, fw, inC, outC] = filterShape;
  const n = x.shape[0];
  return tf.tidy(() => {
    const xp = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]]) : x;
    const m = n * info.outHeight * info.outWidth;
    const dy2 = tf.reshape(dy, [m, outC]);
    const taps: tfjs.Tensor2D[] = [];
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        const r0 = i * info.dilationHeight;
        const c0 = j * info.dilationWidth;
        const patch = tf.stridedSlice(xp, [0, r0, c0, 0],
          [n, r0 + (info.outHeight - 1) * info.strideHeight + 1, c0 + (info.outWidth - 1) * info.strideWidth + 1, inC],
          [1, info.strideHeight, info.strideWidth, 1]) as tfjs.Tensor4D;
        taps.push(tf.matMul(tf.reshape(patch, [m, inC]), dy2, true, false));
      }
    }
    return tf.reshape(tf.stack(taps), [fh, fw, inC, outC]);
  });
}

/**
 * dx of max pooling, NHWC: each window's dy goes to the window's first maximum
 * in row-major scan order (as the cpu kernel's maxPoolPositions). A plain loop:
 * N·outH·outW·C·kH·kW compares, ~1 ms for the sample CNN's batches.
 */
export function maxPoolGradLoop(x: Float32Array, dy: Float32Array, dx: Float32Array, info: tfjs.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth, dilationHeight, dilationWidth } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  dx.fill(0);
  for (let b = 0; b < batchSize; b++) {
    const xb = b * inHeight * inWidth * c;
    for (let yr = 0; yr < outHeight; yr++) {
      for (let yc = 0; yc < outWidth; yc++) {
        const dyBase = ((b * outHeight + yr) * outWidth + yc) * c;
        for (let d = 0; d < c; d++) {
          let best = -Infinity, at = -1;
          for (let wr = 0; wr < filterHeight; wr++) {
            const xr = yr * strideHeight - top + wr * dilationHeight;
            if (xr < 0 || xr >= inHeight) continue;
            for (let wc = 0; wc < filterWidth; wc++) {
              const xc = yc * strideWidth - left + wc * dilationWidth;
              if (xc < 0 || xc >= inWidth) continue;
              const i = xb + (xr * inWidth + xc) * c + d;
              if (x[i] > best) { best = x[i]; at = i; }
            }
          }
          if (at >= 0) dx[at] += dy[dyBase + d];
        }
      }
    }
  }
}

let registered = false;

/** Registers the missing kernels for the 'wasm' backend (idempotent; skips any a newer tfjs already has). */
export function registerWasmGradKernels(tf: Tf): void {
  if (registered) return;
  registered = true;
  registerMaxPoolGrad(tf);
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const a = attrs as unknown as {
        strides: [number, number]; pad: 'valid' | 'same' | number | tfjs.backend_util.ExplicitPadding;
        dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number];
      };
      if (a.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (wasm, tritscope): only NHWC is supported');
      const engine = tf.engine();
      // Views of the kernel inputs as tensors (no copy); the nested ops are not taped (kernelDepth > 0).
      const dW = tf.tidy(() => {
        const xt = engine.makeTensorFromDataId(x.dataId, x.shape, x.dtype) as tfjs.Tensor4D;
        const dyt = engine.makeTensorFromDataId(dy.dataId, dy.shape, dy.dtype) as tfjs.Tensor4D;
        return conv2dBackpropFilterViaConv(tf, xt, dyt, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
      });
      const values = dW.dataSync() as Float32Array;
      dW.dispose();
      const b = backend as unknown as WasmLikeBackend;
      const out = b.makeOutput(a.filterShape, 'float32');
      b.typedArrayFromHeap(out).set(values);
      return out;
    },
  });
}

function registerMaxPoolGrad(tf: Tf): void {
  if (tf.getKernel('MaxPoolGrad', 'wasm')) tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel({
    kernelName: 'MaxPoolGrad',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
      const a = attrs as unknown as { filterSize: [number, number] | number; strides: [number, number] | number;
        pad: 'valid' | 'same' | number | tfjs.backend_util.ExplicitPadding; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
      const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
      const b = backend as unknown as WasmLikeBackend;
      // Allocate first: growing the wasm heap would detach earlier views of it.
      const out = b.makeOutput(input.shape, 'float32');
      maxPoolGradLoop(b.typedArrayFromHeap(input), b.typedArrayFromHeap(dy), b.typedArrayFromHeap(out), info);
      return out;
    },
  });
}
