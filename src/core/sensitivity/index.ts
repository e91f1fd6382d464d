/** Per-layer sensitivity analysis and mixed-precision advice (docs/sensitivity.md). */
export * from './schema';
export { analyseSensitivity, resumeSession, loadAnalysedModel, sensitivityPath, sha256File, DEFAULT_SAMPLES, type AnalyseOptions, type SensitivitySession } from './analyse';
export { adviseKeepFloat, defaultRuleSet } from './advice';
export { parseBudget, proposeKeepFloat, predict, costOf, fits, floatEnergy, BudgetError, type Budget } from './propose';
export { readSensitivity, writeSensitivity, withProposal } from './store';
export { quantizePieces, type SweepPieces } from './pieces';
export { createRunner, type ConfigRunner } from './runner';
export { runSweep, measureKeepFloat, type SweepProgress } from './sweep';
