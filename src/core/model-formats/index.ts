/** The model-format registry (docs/architecture.md, "Recipe: add a model format"). Other modules import from here. */
export type { Detection, FormatUse, LoadedModel, ModelFormat } from './types';
export { HEAD_BYTES } from './types';
export {
  MODEL_FORMATS, MissingFileError, UnknownFormatError, defaultOutputPath, detectFileFormat, detectFormat, fileSize,
  formatById, formatByName, formatsFor, loadModel, loadRunnableModel, matchedName, outputBase, type ModelLoadOptions, type RunnableModel,
} from './registry';
export { dialogExtensions, namePatterns, namesText, whenClause, workspaceGlob } from './names';
