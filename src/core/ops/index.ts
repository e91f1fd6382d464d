/** The op table's public face: everything outside src/core/ops imports from here. */
export { OPS, OP_TYPES, ONNX_IMPORTERS, isOpType, probabilityHead, specOf, type OpType } from './registry';
export { checkInputShape, inferShapes, layerOutputShape } from './shapes';
export { MAX_ACTIVATION_ELEMENTS, MAX_INPUT_ELEMENTS, MAX_SAMPLE_ELEMENTS } from '../limits';
export { OpCheckError, type AttrSchema, type AttrSpec } from './attrs';
export { windowOut } from './geometry';
export type { ConvGeometry, CostInput, CostRule, EngineKernelSet, EngineLowering, EpilogueStage, LayerRun, OpSpec, QatMapping, WeightFn, WeightShapeFn } from './types';
export type { OnnxAttrOut, OnnxAttrs, OnnxConverter, OnnxExportContext, OnnxExportRule, OnnxImporter, OnnxNodeRef } from './onnx-api';
export { BATCH_DIM } from './onnx-api';
export { alignOperand, tfAxis, toNchw, toNhwc, type Tf, type TfOpContext, type TfTensor, type TfTranslation } from './tf-api';
export { inputToTf, irParam, tfLayerForward, tfParam, tfTranslation } from './tf-graph';
