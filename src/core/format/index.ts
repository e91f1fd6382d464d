/**
 * The `.tnn` format contract (docs/tnn-format.md, docs/architecture.md).
 * Other modules import only from here.
 */
export { packTrits, unpackTrits, packedLength, countPackedTrits, TRITS_PER_BYTE, ZERO_BYTE } from './pack';
export { serializeTnn, parseTnn, peekTnnBytes } from './tnn';
export { readTnnFile, writeTnnFile, peekTnnHeader, readTnnTensor } from './files';
export { writeFileAtomic, writeFileAtomicSync } from './atomic';
export { computeChecksum, halfToFloat } from './decode';
export { TNN_FORMAT, TNN_VERSION, type TnnHeader, type TnnTensorInfo } from './tnn-header';
export { DTYPE_SIZES, MAX_HEADER_BYTES, type Dtype } from './safetensors';
// The safetensors container reader, shared with the weights-only checkpoint readers (src/core/checkpoint, src/core/weights).
export { HEADER_PREFIX_BYTES, METADATA_KEY, isDtype, parseHeaderJson, readHeaderLength, type TensorEntry } from './safetensors';
