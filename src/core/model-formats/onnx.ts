/** ONNX models (protobuf ModelProto), imported into the float IR (docs/importers.md). */
import type { Detection, ModelFormat } from './types';

/**
 * Protobuf has no magic number; a ModelProto starts with the tag of one of its
 * fields (exporters write ir_version, field 1, first). Tags with the field's own
 * wire type only: JSON's `{` and whitespace are never among them.
 */
const MODEL_PROTO_TAGS = new Set([0x08, 0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72]);

function detect(head: Uint8Array): Detection {
  if (head.length === 0) return false;
  if (MODEL_PROTO_TAGS.has(head[0])) return 'plausible';
  // training_info (20) and functions (25) have two-byte tags.
  return (head[0] === 0xa2 || head[0] === 0xca) && head[1] === 0x01 ? 'plausible' : false;
}

export const onnxFormat: ModelFormat = {
  id: 'onnx',
  label: 'ONNX',
  extensions: ['.onnx'],
  fileNames: [],
  produces: 'float',
  uses: ['quantize', 'run'],
  detect,
  // Imported on first use: hosts that only need names and detection (the extension host) skip protobufjs's start-up.
  load: async (file, bytes) => ({ kind: 'float', model: await (await import('../import/onnx/import')).importOnnxFile(file), bytes }),
};
