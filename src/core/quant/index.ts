/** Post-training ternary quantization: quantizers, statistics, whole-model quantization. */
export { applyThresholds, optimalScale, meanStd, QuantError, QUANT_METHODS, type QuantMethod, type QuantResult } from './common';
export { twn, type TwnOptions } from './twn';
export { ttq, type TtqOptions } from './ttq';
export { asymUniform, uniformThresholds, normalizeUniform, UNIFORM_Z, type AsymUniformOptions } from './asym-uniform';
export { alemdar, type AlemdarOptions } from './alemdar';
export { stochastic, stochasticProbability, type StochasticOptions } from './stochastic';
export { quantStats, dequantize, entropyBits } from './stats';
export { quantizeWeights, isQuantMethod, type MethodOptions } from './methods';
export { quantizeModel, resolveKeepFloat, weightLayers, type QuantizeModelOptions, type QuantizeProgress } from './model';
export { calibrateActivations, fitActQuant, fitActQuantL2, type CalibrateOptions } from './calibrate';
export { evaluateAccuracy, sampleBatch, type Accuracy, type LabeledSamples, type EvaluateOptions } from './evaluate';
