/**
 * The PyTorch backend of a quantize job: the `python -m tritscope_torch.train`
 * arguments, the local command (alone or under the torchrun shim for DDP), and
 * the user's launcher template (ssh, srun, …) with the paths substituted and
 * shell-quoted. Pure (no `vscode` import) so it is unit tested in plain Node.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { isFactorySpec, JobError, type QuantizeJob } from './jobArgs';
import { pytorchMethods } from '../../core/quant/index';

export { isFactorySpec };

export const BACKENDS = ['tfjs', 'pytorch'] as const;
export type Backend = (typeof BACKENDS)[number];

/** QAT methods python/tritscope_torch/quantizers.py trains (QAT_METHODS there). */
/** Declared by each quantizer's spec (`pytorch: true`). */
export const PYTORCH_METHODS: readonly string[] = pytorchMethods();

export interface TorchSettings {
  /** `tritscope.python`: the interpreter (resolved by detection when the setting is empty). */
  python: string;
  /** `tritscope.torch.nprocPerNode`: processes (GPUs) per node; > 1 runs DDP under torchrun. */
  nprocPerNode: number;
  /** `tritscope.torch.launcher`: a command template, '' to run locally. */
  launcher: string;
}

/** Where the extension's own pieces are: the bundled Python package and the CLI that assembles the `.tnn`. */
export interface TorchContext {
  /** Folder holding `tritscope_torch/` (the extension's `python/`). */
  packageDir: string;
  /** dist/cli.js and the Node that runs it (the trainer calls `tritscope assemble`). */
  cliPath: string;
  nodePath: string;
  cwd: string;
  workspaceFolder: string;
}

/** A process to spawn: argv and extra environment. `display` is the command line shown in the terminal. */
export interface LaunchSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  display: string;
}

/** Workspace-relative paths made absolute; a module spec (`pkg.mod:factory`) is not a path and stays as it is. */
export function resolveModelSpec(model: string, base: string): string {
  if (isFactorySpec(model)) {
    const i = model.lastIndexOf(':');
    const file = model.slice(0, i);
    return file.endsWith('.py') ? `${path.resolve(base, file)}${model.slice(i)}` : model;
  }
  return path.isAbsolute(model) ? model : path.join(base, model);
}

/** Throws a JobError naming the field when a job cannot run on the PyTorch trainer. */
export function checkTorchJob(job: QuantizeJob): void {
  if (!job.qat) throw new JobError('tritscope task: "backend": "pytorch" trains (quantization-aware training, "qat": true); post-training quantization runs on the "tfjs" backend');
  if (!job.data) throw new JobError('quantization-aware training needs a data set ("data")');
  if (!PYTORCH_METHODS.includes(job.method))
    throw new JobError(`tritscope task: the PyTorch trainer trains ${PYTORCH_METHODS.join(', ')}; got "method": "${job.method}"`);
  if (path.basename(job.model) === 'model.json')
    throw new JobError(`${job.model}: the PyTorch trainer reads ONNX models or MODULE:FACTORY / file.py:FACTORY specs, not TF.js model.json; use the "tfjs" backend or export the model to ONNX`);
  if (!isFactorySpec(job.model) && !job.model.toLowerCase().endsWith('.onnx'))
    throw new JobError(`${job.model}: "model" for the PyTorch trainer must be an .onnx file or MODULE:FACTORY / file.py:FACTORY`);
  // Where the CLI is missing (a remote launcher), the trainer leaves <output stem>.onnx: never the source itself.
  if (path.resolve(exportIntermediates(job.output).onnx) === path.resolve(job.model))
    throw new JobError(`${job.output}: its .onnx intermediate would overwrite the source model ${job.model}; choose another output name`);
}

/**
 * `tritscope_torch.train` arguments. `batch` is the job's global mini-batch: each of the `nproc` processes
 * gets batch / nproc (DDP averages their gradients, so one step sees the same number of samples).
 */
export function trainerArgs(job: QuantizeJob, nproc: number): string[] {
  checkTorchJob(job);
  const acts = job.twoStage ? 'ternary' : job.activations ?? 'float';
  const a = ['--model', job.model, '--data', job.data!, '--method', job.method, '--activations', acts, '-o', job.output, '--progress', 'json'];
  if (job.weights) a.push('--weights', job.weights);
  if (job.keepFloat) a.push('--keep-float', job.keepFloat);
  if (job.kd) a.push('--kd');
  if (job.twoStage) a.push('--two-stage');
  if (job.lambda !== undefined) a.push('--lambda', String(job.lambda));
  a.push('--epochs', String(job.epochs ?? 1));
  a.push('--batch', String(Math.max(1, Math.round((job.batch ?? 64) / nproc))));
  if (job.lr !== undefined) a.push('--lr', String(job.lr));
  if (job.limit !== undefined) a.push('--limit', String(job.limit));
  if (job.seed !== undefined) a.push('--seed', String(job.seed));
  if (job.resume) a.push('--resume');
  if (job.force) a.push('--force');
  return a;
}

/** The trainer's environment: the bundled package importable, unbuffered output, the CLI for `tritscope assemble`. */
export function trainerEnv(ctx: TorchContext, inherited: string | undefined): Record<string, string> {
  return {
    PYTHONPATH: inherited ? `${ctx.packageDir}${path.delimiter}${inherited}` : ctx.packageDir,
    PYTHONUNBUFFERED: '1',
    TRITSCOPE_CLI: ctx.cliPath,
    TRITSCOPE_NODE: ctx.nodePath,
    // In desktop VS Code the Node at hand is Electron, which acts as Node only with this set.
    ELECTRON_RUN_AS_NODE: '1',
  };
}

/**
 * python [-m tritscope_torch.torchrun --standalone --nproc_per_node N] -m tritscope_torch.train ARGS.
 * `--standalone` rendezvouses on a free local port: torchrun's fixed default (29500) makes a second DDP job
 * on the same machine fail with "address already in use".
 */
export function pythonArgv(python: string, nproc: number, args: string[]): string[] {
  const run = nproc > 1 ? ['-m', 'tritscope_torch.torchrun', '--standalone', '--nproc_per_node', String(nproc)] : [];
  return [python, ...run, '-m', 'tritscope_torch.train', ...args];
}

/** One POSIX shell word: bare when it is safe, else single-quoted (a ' becomes '\''). */
export function shellQuote(s: string): string {
  if (s !== '' && /^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export const LAUNCHER_VARIABLES = ['command', 'remoteCommand', 'trainerArgs', 'python', 'nproc', 'cwd', 'output', 'workspaceFolder'] as const;

/**
 * Substitutes `${name}` in a launcher template. Each value is inserted as shell-quoted words, so paths with
 * spaces or quotes survive: `${command}` as the command's words (srun, docker exec), `${remoteCommand}` as one
 * word holding `cd CWD && COMMAND` for a remote shell that re-parses its argument (ssh), `${trainerArgs}` as the
 * trainer's own arguments for a template that writes its own launcher line (multi-node torchrun). Unknown names are errors.
 */
export function substituteLauncher(template: string, vars: Record<(typeof LAUNCHER_VARIABLES)[number], string | string[]>): string {
  return template.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    if (!(LAUNCHER_VARIABLES as readonly string[]).includes(name))
      throw new JobError(`tritscope.torch.launcher: unknown variable \${${name}} (known: ${LAUNCHER_VARIABLES.map((v) => `\${${v}}`).join(', ')}; write shell variables as $NAME)`);
    const v = vars[name as keyof typeof vars];
    return Array.isArray(v) ? v.map(shellQuote).join(' ') : shellQuote(v);
  });
}

/** The process that runs `job` on the PyTorch trainer: the interpreter directly, or `/bin/sh -c <launcher>`. */
export function torchLaunch(job: QuantizeJob, s: TorchSettings, ctx: TorchContext, inheritedPythonPath?: string): LaunchSpec {
  const nproc = Math.max(1, Math.floor(s.nprocPerNode || 1));
  const train = trainerArgs(job, nproc);
  const argv = pythonArgv(s.python, nproc, train);
  const env = trainerEnv(ctx, inheritedPythonPath);
  if (!s.launcher.trim()) return { command: argv[0], args: argv.slice(1), env, display: argv.map(shellQuote).join(' ') };
  // A launcher may start the job on another machine, which does not inherit this environment: pass it inline.
  const words = ['env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv];
  const script = substituteLauncher(s.launcher, {
    command: words,
    remoteCommand: `cd ${shellQuote(ctx.cwd)} && ${words.map(shellQuote).join(' ')}`,
    trainerArgs: train,
    python: s.python,
    nproc: String(nproc),
    cwd: ctx.cwd,
    output: job.output,
    workspaceFolder: ctx.workspaceFolder,
  });
  return { command: '/bin/sh', args: ['-c', script], env, display: script };
}

/** The intermediates `export_tnn` leaves beside the output when the Tritscope CLI was not where the job ran. */
export function exportIntermediates(output: string): { onnx: string; sidecar: string } {
  const stem = output.replace(/\.tnn$/i, '');
  return { onnx: `${stem}.onnx`, sidecar: `${stem}.quant.safetensors` };
}

/**
 * A job run through a launcher on a machine without the Tritscope CLI leaves `<stem>.onnx` and
 * `<stem>.quant.safetensors` (written after `since`) instead of the `.tnn`: their paths, or undefined.
 */
export function pendingAssembly(output: string, since: number): { onnx: string; sidecar: string } | undefined {
  if (existsSync(output)) return undefined;
  const i = exportIntermediates(output);
  const fresh = (p: string) => existsSync(p) && statSync(p).mtimeMs + 1000 >= since;
  return fresh(i.onnx) && fresh(i.sidecar) ? i : undefined;
}

export function removeIntermediates(i: { onnx: string; sidecar: string }): void {
  rmSync(i.onnx, { force: true });
  rmSync(i.sidecar, { force: true });
}
