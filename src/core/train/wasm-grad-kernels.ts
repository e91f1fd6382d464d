/**
 * Gradient kernels that @tensorflow/tfjs-backend-wasm 4.22 does not register
 * but training needs. Each is composed from ops the wasm backend has (pad,
 * stridedSlice, matMul), so it runs at XNNPACK speed, and is checked against
 * the cpu backend's kernel in test/unit/train/wasm-kernels.test.ts.
 *
 * Missing in 4.22 (found by `tf.getKernel(name, 'wasm')` and by running a
 * training step): Conv2DBackpropFilter. MaxPoolGrad, AvgPoolGrad,
 * Conv2DBackpropInput and FusedBatchNorm are present; relu's gradient is
 * expressed with `step` + `mul`, which the wasm backend has.
 */
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;
type TensorInfo = tfjs.TensorInfo;

interface WasmLikeBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/** Names of the kernels this module adds to the wasm backend. */
export const WASM_GRAD_KERNELS = ['Conv2DBackpropFilter'] as const;

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

let registered = false;

/** Registers the missing kernels for the 'wasm' backend (idempotent; skips any a newer tfjs already has). */
export function registerWasmGradKernels(tf: Tf): void {
  if (registered) return;
  registered = true;
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
