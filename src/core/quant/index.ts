/** Post-training ternary quantization: the quantizer registry, statistics, whole-model quantization. */
export { applyThresholds, optimalScale, meanStd, QuantError, UNIFORM_Z, type QuantResult } from './common';
export { QUANTIZERS, QUANTIZER_IDS, DEFAULT_METHOD, isKnownMethod, quantizerSpec, qatMethods, pytorchMethods, allQuantizerOptions, type KnownMethod } from './registry';
export { optionFlag, optionProblem, resolveOptions, type QuantizerSpec, type QuantOption, type OptionValue, type OptionValues } from './spec';
export { twn, type TwnOptions } from './twn';
export { ttq, type TtqOptions } from './ttq';
export { asymUniform, uniformThresholds, normalizeUniform, type AsymUniformOptions } from './asym-uniform';
export { alemdar, type AlemdarOptions } from './alemdar';
export { stochastic, stochasticProbability, type StochasticOptions } from './stochastic';
export { quantStats, dequantize, entropyBits } from './stats';
export { quantizeWeights, type MethodOptions } from './methods';
export { quantizeModel, resolveKeepFloat, weightLayers, type QuantizeModelOptions, type QuantizeProgress } from './model';
export { calibrateActivations, fitActQuant, fitActQuantL2, type CalibrateOptions } from './calibrate';
export { evaluateAccuracy, sampleBatch, type Accuracy, type LabeledSamples, type EvaluateOptions } from './evaluate';
