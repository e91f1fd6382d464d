/**
 * The `.tnn` format contract (docs/tnn-format.md, docs/architecture.md).
 * Other modules import only from here.
 */
export { packTrits, unpackTrits, packedLength, countPackedTrits, TRITS_PER_BYTE, ZERO_BYTE } from './pack';
export { serializeTnn, parseTnn, peekTnnBytes } from './tnn';
export { readTnnFile, writeTnnFile, peekTnnHeader, readTnnTensor } from './files';
export { writeFileAtomic, writeFileAtomicSync, type AtomicWriteOptions } from './atomic';
export { computeChecksum, halfToFloat, decodeToFloat32 } from './decode';
// The validating reader of untrusted JSON, for other files that carry Tritscope metadata (the PyTorch sidecar).
export { Checker, describe, type Json } from './check';
export { TNN_FORMAT, TNN_VERSION, type TnnHeader, type TnnTensorInfo } from './tnn-header';
// The safetensors container (a `.tnn` is one); also read by the checkpoint and weights-only readers.
export { DTYPE_SIZES, MAX_HEADER_BYTES, HEADER_PREFIX_BYTES, METADATA_KEY, isDtype, parseHeaderJson, parseSafetensorsHeader, readHeaderLength, type Dtype, type TensorEntry } from './safetensors';
