/** Training with TF.js: backend selection, sample float models, quantization-aware training (seed paper §3). */
export { initTf, findWasmDir, type Tf, type TfHandle, type BackendName, type InitTfOptions } from './backend';
export { registerWasmGradKernels, WASM_GRAD_KERNELS } from './wasm-grad-kernels';
export { buildSampleModel, SAMPLE_ARCHS, type SampleArch } from './sample-models';
export { trainFloatSample, type FloatTrainOptions, type FloatTrainResult } from './float-train';
export { saveLayersModel } from './save-layers';
export { loadTrainData, type TrainData } from './training-data';
export { TrainingCancelled, type TrainProgress, type ProgressSink } from './progress';
export { trainQat, type QatOptions, type QatResult } from './qat/train-qat';
export { exportTnn } from './qat/export';
export { QatNet, QatGraphError } from './qat/qat-net';
export { WeightQuantizer, ActQuantizer, type QatMethod, type QuantizerOptions } from './qat/quantizers';
export type { QatStrategy, QatWeightQuantizer, QatActQuantizer, QatSettings, FoldedQuant } from './qat/strategy';
export { biSteTernarize, ttqTernarize, steTernarize, eq7Expectation } from './qat/ternary-ops';
export { kdLoss, ceLoss, distillationLoss } from './qat/kd';
export { CheckpointError } from './qat/checkpoint';
export { measureStepRatio, type StepTiming } from './qat/step-bench';
