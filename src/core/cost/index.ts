/** Ternary-circuit cost model: see docs/cost-model.md. */
export * from './types';
export { inferShapes } from '../ops/index';
export { builtinProfiles, loadProfiles, loadProfilesFile, parseProfilesText, validateProfile, findProfile, ProfileError, DEFAULT_PROFILE_ID } from './profiles';
export { layerCost, modelCost, sumCosts, packedTritBits, type ShapeMap } from './model';
export { addCost, type WithCost, type CostedSummaryFields } from './summary';
