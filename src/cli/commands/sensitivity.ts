/**
 * `tritscope sensitivity MODEL --data SPEC [--limit N] [--method M] [--json]
 * [--propose --budget float-weights=5%|bits=1.8|energy=…]` — per-layer
 * sensitivity sweep (only this layer ternary / all but this layer ternary,
 * top-1 and KL from the float model), stored beside the model as
 * `<model>.sensitivity.json`, and a keep-float proposal under a budget with
 * its predicted and measured accuracy (docs/sensitivity.md).
 */
import path from 'node:path';
import { optFlag, optNumber, optString, type ParsedArgs } from '../args';
import { registerCommand } from './index';
import type { CliIO } from './types';
import { methodFromArgs, methodOptionSpecs, methodOptionsFromArgs } from './quantize-method-options';
import { resolveProfile } from './inspect-cost';
import { formatProposal, formatSweep } from './sensitivity-text';
import { progressLine, type ProgressEventBody } from '../../shared/progress';
import { DEFAULT_PROFILE_ID } from '../../core/cost/index';
import { DATASET_USAGE } from '../../core/data/index';
import { UsageError } from '../../core/errors';
import { DEFAULT_METHOD } from '../../core/quant/index';
import {
  adviseKeepFloat, analyseSensitivity, DEFAULT_SAMPLES, readSensitivity, resumeSession, sensitivityPath, sha256File, withProposal, writeSensitivity,
  type Objective, type SensitivityResult, type SensitivitySession, type SweepEngine,
} from '../../core/sensitivity/index';

const ENGINES: readonly SweepEngine[] = ['mixed', 'packed', 'reference'];

function intOption(args: ParsedArgs, key: string, min: number): number | undefined {
  const v = optNumber(args, key, 'sensitivity');
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new UsageError(`sensitivity: --${key} expects an integer ≥ ${min}, got '${optString(args, key)}'`);
  return v;
}

/** A stored sweep of the same file, data, samples and quantizer, when --reuse may use it. */
function reusable(out: string, sha: string, want: { data: string; preprocess: string | null; n: number; method?: string; seed?: number }): SensitivityResult | undefined {
  let stored: SensitivityResult;
  try {
    stored = readSensitivity(out);
  } catch {
    return undefined;
  }
  const same = stored.model.sha256 === sha && stored.data.spec === want.data && stored.data.preprocess === want.preprocess && stored.data.n === want.n &&
    (want.method === undefined || stored.method === want.method) && (want.seed === undefined || stored.seed === want.seed);
  return same ? stored : undefined;
}

async function run(args: ParsedArgs, io: CliIO): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError(`sensitivity: expected exactly one model file, got ${args.positionals.length}`);
  const file = args.positionals[0];
  const data = optString(args, 'data');
  if (!data) throw new UsageError('sensitivity: --data <dataset> is required (e.g. fashion-mnist:test)');
  const preprocess = optString(args, 'preprocess');
  const limit = intOption(args, 'limit', 1) ?? DEFAULT_SAMPLES;
  const seed = intOption(args, 'seed', 0);
  const batchSize = intOption(args, 'batch', 1);
  const methodGiven = optString(args, 'method') !== undefined;
  const method = methodFromArgs(args);
  const methodOptions = methodOptionsFromArgs(args, method);
  const engine = (optString(args, 'engine') ?? 'mixed') as SweepEngine;
  if (!ENGINES.includes(engine)) throw new UsageError(`sensitivity: --engine must be one of ${ENGINES.join(', ')}, got '${engine}'`);
  const objective = (optString(args, 'objective') ?? 'kl') as Objective;
  if (objective !== 'kl' && objective !== 'top1') throw new UsageError(`sensitivity: --objective must be kl or top1, got '${objective}'`);
  const propose = optFlag(args, 'propose') || optString(args, 'budget') !== undefined;
  const budget = optString(args, 'budget') ?? 'float-weights=5%';
  const progressMode = optString(args, 'progress');
  if (progressMode !== undefined && progressMode !== 'json') throw new UsageError(`sensitivity: --progress accepts only 'json', got '${progressMode}'`);
  const out = optString(args, 'out') ?? sensitivityPath(file);
  if (!out.toLowerCase().endsWith('.json')) throw new UsageError(`sensitivity: output '${out}' must end in .json`);
  if (path.resolve(out) === path.resolve(file)) throw new UsageError(`sensitivity: output would overwrite the model; choose another -o`);
  const profile = await resolveProfile(optString(args, 'profile') ?? DEFAULT_PROFILE_ID, 'sensitivity: --profile');

  const json = optFlag(args, 'json');
  const events = progressMode === 'json';
  const emit = (e: ProgressEventBody) => io.stdout(progressLine(e));
  let lastProgress = 0;
  const onProgress = (p: { done: number; total: number; message: string; stage: string }) => {
    // At most ~5 lines a second: a long sweep has thousands of steps.
    const now = Date.now();
    if (p.done !== p.total && now - lastProgress < 200) return;
    lastProgress = now;
    if (events) emit({ type: 'progress', step: p.done, steps: p.total, message: `${p.stage}: ${p.message}` });
    else if (!json) io.stderr(`\r[${p.stage} ${p.done}/${p.total}] ${p.message.slice(0, 70).padEnd(70)}${p.done === p.total ? '\n' : ''}`);
  };
  try {
    const common = { methodOptions, seed, profile, signal: io.signal, onProgress };
    let session: SensitivitySession;
    const stored = optFlag(args, 'reuse')
      ? reusable(out, await sha256File(file), { data, preprocess: preprocess ?? null, n: limit, method: methodGiven ? method : undefined, seed })
      : undefined;
    if (stored) session = await resumeSession(file, stored, common);
    else {
      session = await analyseSensitivity(file, {
        ...common, data, preprocess, limit, engine, batchSize, method: methodGiven ? method : undefined,
      });
    }
    let result = session.result;
    const proposal = propose ? await adviseKeepFloat(session, budget, objective, io.signal, (p) => onProgress({ ...p, stage: 'proposal' })) : undefined;
    if (proposal) result = withProposal(result, proposal);
    if (!optFlag(args, 'no-write')) await writeSensitivity(out, result);
    if (events) emit({ type: 'done', output: out, accuracy: result.allTernary.top1 });
    else if (json) io.stdout(`${JSON.stringify(proposal ? { ...result, proposal } : result, null, 1)}\n`);
    else {
      io.stdout(formatSweep(result, stored !== undefined));
      if (proposal) io.stdout(formatProposal(proposal, result.data.n));
      if (!optFlag(args, 'no-write')) io.stdout(`wrote ${out}\n`);
    }
    return 0;
  } catch (e) {
    if (events) emit({ type: 'error', message: (e as Error).message });
    throw e;
  }
}

registerCommand({
  name: 'sensitivity',
  usage: 'sensitivity <model: float model or .tnn with latent weights> --data <dataset> [--limit N] [--method M] [--json] [--propose --budget float-weights=5%|bits=1.8|energy=2uJ]',
  summary: 'per-layer sensitivity to ternarization (only this / all but this layer ternary) and a keep-float proposal under a budget',
  options: [
    { names: ['data'], value: true, description: `${DATASET_USAGE} (the first --limit samples are used)` },
    { names: ['preprocess'], value: true, description: 'imagenet | cifar | none (default), or resize=N|HxW,crop=N|HxW,mean=a:b:c,std=a:b:c' },
    { names: ['limit'], value: true, description: `samples (default ${DEFAULT_SAMPLES})` },
    ...methodOptionSpecs().map((o) => (o.names[0] === 'method' ? { ...o, description: `quantizer (default: a .tnn's own method, else ${DEFAULT_METHOD})` } : o)),
    { names: ['seed'], value: true, description: 'quantizer seed (stochastic methods; default 0, or the .tnn\'s)' },
    { names: ['engine'], value: true, description: 'mixed (default: packed-engine pieces compiled once, prefix reuse) | packed (compiled per configuration, = eval --engine packed) | reference (= eval)' },
    { names: ['batch'], value: true, description: 'samples per batch (default: 64, fewer when cached activations would exceed 512 MiB)' },
    { names: ['profile'], value: true, description: `cost profile for energy and the energy budget: built-in id (default ${DEFAULT_PROFILE_ID}) or profiles.json[#id]` },
    { names: ['propose'], value: false, description: 'propose the keep-float set for --budget and measure it against the first,last rule' },
    { names: ['budget'], value: true, description: 'float-weights=P% (or a count), bits=B (bits per weight: 1.6-bit packed trits, 32-bit floats), energy=E[pJ|nJ|uJ|mJ] or P% of float; implies --propose (default float-weights=5%)' },
    { names: ['objective'], value: true, description: 'what the proposal maximizes: kl (default: least predicted KL) or top1 (predicted top-1)' },
    { names: ['reuse'], value: false, description: 'reuse the stored sweep of the same model, data, samples and method (proposals without sweeping again)' },
    { names: ['o', 'out'], value: true, description: 'result file (default <model>.sensitivity.json beside the model)' },
    { names: ['no-write'], value: false, description: 'print only; do not write the result file' },
    { names: ['json'], value: false, description: 'print the result (and the proposal) as JSON' },
    { names: ['progress'], value: true, description: "'json': one JSON progress event per line on stdout" },
  ],
  run,
});
