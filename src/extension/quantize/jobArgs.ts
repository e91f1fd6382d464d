/**
 * A quantize job as a `tritscope` task definition, and its translation into
 * `tritscope quantize` arguments. Pure (no `vscode` import) so it is unit tested
 * in plain Node; the task provider and the guided flow both use it, so a job
 * saved in tasks.json runs exactly like one started from the palette.
 * Every QuantizeJob field must also be declared in package.json's
 * `taskDefinitions`: VS Code drops undeclared properties of a task definition.
 */
import { defaultOutputPath } from '../../core/model-formats/index';
import { DEFAULT_METHOD, isKnownMethod, qatMethods, QUANTIZER_IDS, QUANTIZERS, type KnownMethod, type QuantizerSpec } from '../../core/quant/index';

/**
 * The task definition's `method` property (package.json taskDefinitions),
 * derived from the quantizer registry; a unit test keeps package.json equal to
 * it and `node scripts/sync-package-json.mjs` rewrites it.
 */
export function methodTaskSchema(): { type: 'string'; enum: string[]; default: string; description: string } {
  return {
    type: 'string',
    enum: [...QUANTIZER_IDS],
    default: DEFAULT_METHOD,
    description: `Ternarization method (QAT supports ${qatMethods().join(', ')}).`,
  };
}

/** The guided flow's method pick list, in registry order: id, one-line summary, whether it can be trained. */
export function methodPickItems(): { value: KnownMethod; label: string; detail: string; trainable: boolean }[] {
  return QUANTIZERS.map((q) => {
    const trainable = Boolean((q as QuantizerSpec).qat);
    return { value: q.id, label: q.id, detail: `${q.summary}${trainable ? '' : ' (post-training only)'}`, trainable };
  });
}

export interface QuantizeJob {
  type: 'tritscope';
  /** Source float model (see namesText('quantize')), absolute or workspace-relative. */
  model: string;
  /** Output .tnn path (default: core's `defaultOutputPath` beside the source). */
  output: string;
  method: KnownMethod;
  qat?: boolean;
  /** 'float' = weights only, 'ternary' = weights + activations. */
  activations?: 'float' | 'ternary';
  data?: string;
  epochs?: number;
  kd?: boolean;
  twoStage?: boolean;
  lambda?: number;
  batch?: number;
  lr?: number;
  limit?: number;
  keepFloat?: string;
  seed?: number;
  /** QAT: continue from the `<output>.ckpt` a cancelled run kept. */
  resume?: boolean;
  /** Overwrite an existing output (the flow asks first). */
  force?: boolean;
  /** Who trains: 'tfjs' (the CLI, TF.js on wasm; default) or 'pytorch' (python -m tritscope_torch.train, torchCommand.ts). */
  backend?: 'tfjs' | 'pytorch';
  /** PyTorch: a float state_dict (.pt) for a MODULE:FACTORY model. */
  weights?: string;
}

export class JobError extends Error {}

/** `MODULE:FACTORY` or `file.py:FACTORY` (the PyTorch trainer's --model), as opposed to a model file. */
export function isFactorySpec(model: string): boolean {
  return /^(?:[A-Za-z_][\w.]*|.+\.py):[A-Za-z_]\w*$/.test(model);
}

/** A factory spec's output is named after the factory, in the workspace folder. */
function defaultOutputFor(model: string, method: string, qat: boolean): string {
  return isFactorySpec(model) ? `${model.slice(model.lastIndexOf(':') + 1)}.${method}${qat ? '.qat' : ''}.tnn` : defaultOutputPath(model, method, qat);
}

/** Validates a task definition coming from tasks.json (untrusted shape). */
export function validateJob(def: Record<string, unknown>): QuantizeJob {
  const need = (k: string) => {
    const v = def[k];
    if (typeof v !== 'string' || !v) throw new JobError(`tritscope task: "${k}" must be a non-empty string`);
    return v;
  };
  const method = (def.method ?? DEFAULT_METHOD) as string;
  if (!isKnownMethod(method)) throw new JobError(`tritscope task: "method" must be one of ${QUANTIZER_IDS.join(', ')}, got "${method}"`);
  const num = (k: string) => {
    const v = def[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new JobError(`tritscope task: "${k}" must be a number`);
    return v;
  };
  const acts = def.activations;
  if (acts !== undefined && typeof acts !== 'boolean' && acts !== 'float' && acts !== 'ternary')
    throw new JobError(`tritscope task: "activations" must be "float" or "ternary"`);
  const model = need('model');
  const qat = def.qat === true;
  if (qat && !qatMethods().includes(method)) throw new JobError(`tritscope task: "qat" needs a method with quantization-aware training (${qatMethods().join(', ')}), got "${method}"`);
  if (def.output !== undefined) need('output');
  return {
    type: 'tritscope',
    model,
    output: typeof def.output === 'string' ? def.output : defaultOutputFor(model, method, qat),
    method,
    qat,
    // tasks.json files written for an older schema said `"activations": true`.
    activations: acts === true ? 'ternary' : acts === false ? 'float' : (acts as QuantizeJob['activations']),
    data: typeof def.data === 'string' ? def.data : undefined,
    epochs: num('epochs'),
    kd: def.kd === true,
    twoStage: def.twoStage === true,
    lambda: num('lambda'),
    batch: num('batch'),
    lr: num('lr'),
    limit: num('limit'),
    keepFloat: typeof def.keepFloat === 'string' ? def.keepFloat : undefined,
    seed: num('seed'),
    resume: def.resume === true,
    force: def.force === true,
    backend: parseBackend(def.backend),
    weights: def.weights === undefined ? undefined : need('weights'),
  };
}

function parseBackend(v: unknown): QuantizeJob['backend'] {
  if (v === undefined || v === 'tfjs' || v === 'pytorch') return v;
  throw new JobError(`tritscope task: "backend" must be "tfjs" or "pytorch", got ${JSON.stringify(v)}`);
}

/** `tritscope quantize` argv for a job (progress as JSON lines, which the task parses). */
export function jobToArgs(job: QuantizeJob): string[] {
  if (job.qat && !job.data) throw new JobError('quantization-aware training needs a data set ("data")');
  const a = ['quantize', job.model, '-o', job.output, '--method', job.method, '--progress', 'json'];
  if (job.activations) a.push('--activations', job.activations);
  if (job.keepFloat) a.push('--keep-float', job.keepFloat);
  if (job.data) a.push('--data', job.data);
  if (job.seed !== undefined) a.push('--seed', String(job.seed));
  if (job.force) a.push('--force');
  if (job.qat) {
    a.push('--qat');
    if (job.epochs !== undefined) a.push('--epochs', String(job.epochs));
    if (job.kd) a.push('--kd');
    if (job.twoStage) a.push('--two-stage');
    if (job.lambda !== undefined) a.push('--lambda', String(job.lambda));
    if (job.batch !== undefined) a.push('--batch', String(job.batch));
    if (job.lr !== undefined) a.push('--lr', String(job.lr));
    if (job.limit !== undefined) a.push('--limit', String(job.limit));
    if (job.resume) a.push('--resume');
  }
  return a;
}

/** A short human label for the task list and the progress notification. */
export function jobLabel(job: QuantizeJob): string {
  const base = job.model.split(/[\\/]/).pop() ?? job.model;
  const acts = job.activations === 'ternary' ? 'W+A' : 'W';
  return `quantize ${base} (${job.method}, ${job.qat ? `QAT ${job.epochs ?? 1} ep` : 'post-training'}, ${acts}${job.backend === 'pytorch' ? ', PyTorch' : ''})`;
}

/** The CLI's own one-line message (`tritscope: …`) from the end of its stderr. */
export function lastErrorLine(stderr: string): string | undefined {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const msg = [...lines].reverse().find((l) => l.startsWith('tritscope: ')) ?? lines.at(-1);
  return msg?.replace(/^tritscope: /, '');
}
