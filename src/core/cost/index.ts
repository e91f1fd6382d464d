/** Ternary-circuit cost model: see docs/cost-model.md. */
export * from './types';
export { inferShapes, layerOutputShape, convOutSize, type ShapeMap } from './shapes';
export { builtinProfiles, loadProfiles, loadProfilesFile, parseProfilesText, validateProfile, findProfile, ProfileError, DEFAULT_PROFILE_ID } from './profiles';
export { layerCost, modelCost, sumCosts, packedTritBits } from './model';
export { addCost, type WithCost, type CostedSummaryFields } from './summary';
