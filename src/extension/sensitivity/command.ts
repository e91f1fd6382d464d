/**
 * "Tritscope: Analyse Layer Sensitivity": runs `tritscope sensitivity … --progress json`
 * in a child process (ChildJob: never on the extension host's thread) under a
 * cancellable progress notification, then has the open viewers show the result
 * (chart, graph overlay, proposals). Takes a model Uri (explorer, viewer) or, for
 * scripts and tests, a complete request object, which skips the questions.
 */
import * as vscode from 'vscode';
import path from 'node:path';
import { ChildJob } from '../quantize/childJob';
import { lastErrorLine } from '../quantize/jobArgs';
import { sensitivityPath } from '../../core/sensitivity/index';
import { builtinProfiles } from '../../core/cost/index';
import { configuredProfiles } from '../editor/profiles';

/** The configured cost profile (tritscope.costProfile / costProfilesFile) as a `--profile` value. */
async function configuredProfileArg(): Promise<string> {
  const { selectedId } = await configuredProfiles();
  if (builtinProfiles().some((p) => p.id === selectedId)) return selectedId;
  const file = vscode.workspace.getConfiguration('tritscope').get<string>('costProfilesFile', '').trim();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return `${file && !path.isAbsolute(file) && folder ? path.join(folder, file) : file}#${selectedId}`;
}

export interface SensitivityRequest {
  model: string;
  data: string;
  limit: number;
  /** Budget of a keep-float proposal (e.g. float-weights=5%); none: sweep only. */
  budget?: string;
  preprocess?: string;
  /** Cost profile for energy (`--profile`): a built-in id or `profiles.json#id`; default: the configured one. */
  profile?: string;
}

export interface SensitivityOutcome {
  ok: boolean;
  cancelled: boolean;
  file?: string;
  error?: string;
}

const STATE_KEY = 'tritscope.sensitivity.last';

function isRequest(v: unknown): v is SensitivityRequest {
  const o = v as Partial<SensitivityRequest> | null;
  return typeof o === 'object' && o !== null && !(v instanceof vscode.Uri) && typeof o.model === 'string' && typeof o.data === 'string' &&
    typeof o.limit === 'number' && Number.isInteger(o.limit) && o.limit > 0 &&
    [o.budget, o.profile, o.preprocess].every((x) => x === undefined || typeof x === 'string');
}

/** The questions: data set, samples, budget (remembered per workspace). */
async function ask(state: vscode.Memento, model: string): Promise<SensitivityRequest | undefined> {
  const last = state.get<Partial<SensitivityRequest>>(STATE_KEY) ?? {};
  const title = `Analyse layer sensitivity of ${path.basename(model)}`;
  const picks = [
    { label: 'fashion-mnist:test', detail: 'Debian dataset-fashion-mnist, 10,000 images' },
    { label: 'Other…', detail: 'idx:…, npy:…, cifar10:<dir>, images:<dir> (docs/data-sets.md)' },
  ];
  if (last.data && last.data !== picks[0].label) picks.unshift({ label: last.data, detail: 'last used' });
  const pick = await vscode.window.showQuickPick(picks, { title: `${title} (1/3): data set` });
  if (!pick) return undefined;
  let data: string | undefined = pick.label;
  if (pick.label === 'Other…') {
    data = await vscode.window.showInputBox({ title: 'Data set spec', value: 'npy:', prompt: 'idx:<images>,<labels> | npy:<x.npy>,<y.npy> | cifar10:<dir> | images:<dir>' });
    if (!data) return undefined;
  }
  const n = await vscode.window.showInputBox({
    title: `${title} (2/3): samples`, value: String(last.limit ?? 256), prompt: 'the first N samples of the data set',
    validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 ? undefined : 'a positive whole number'),
  });
  if (!n) return undefined;
  const budget = await vscode.window.showInputBox({
    title: `${title} (3/3): budget of a keep-float proposal`, value: last.budget ?? 'float-weights=5%',
    prompt: 'float-weights=5% | bits=1.8 | energy=2uJ — empty: sweep only',
  });
  if (budget === undefined) return undefined;
  const req: SensitivityRequest = { model, data, limit: Number(n), ...(budget.trim() ? { budget: budget.trim() } : {}) };
  await state.update(STATE_KEY, { data: req.data, limit: req.limit, budget: req.budget ?? '' });
  return req;
}

export function sensitivityArgs(req: SensitivityRequest): string[] {
  const a = ['sensitivity', req.model, '--data', req.data, '--limit', String(req.limit), '--progress', 'json'];
  if (req.preprocess) a.push('--preprocess', req.preprocess);
  if (req.profile) a.push('--profile', req.profile);
  if (req.budget) a.push('--propose', '--budget', req.budget);
  return a;
}

/** Runs the analysis with a cancellable notification; resolves when the child has exited. */
export function runSensitivity(extensionUri: vscode.Uri, req: SensitivityRequest): Promise<SensitivityOutcome> {
  const cli = vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath;
  const job = new ChildJob(cli, sensitivityArgs(req), path.dirname(req.model));
  let stderr = '';
  let done: string | undefined;
  let error: string | undefined;
  job.on('stderr', (s) => { stderr = (stderr + s).slice(-8192); });
  job.on('event', (e) => {
    if (e.type === 'done') done = e.output;
    else if (e.type === 'error') error = e.message;
  });
  return new Promise((resolve) => {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Tritscope: sensitivity of ${path.basename(req.model)}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => job.cancel());
        let last = 0;
        job.on('event', (e) => {
          if (e.type !== 'progress') return;
          const pct = e.steps ? Math.round((100 * (e.step ?? 0)) / e.steps) : undefined;
          // Stages (quantize, sweep, proposal) each count from 0: the bar follows the current one.
          progress.report({ message: e.message, increment: pct === undefined ? undefined : pct - last });
          if (pct !== undefined) last = pct;
        });
        return new Promise<void>((r) => job.on('exit', (code, cancelled) => {
          r();
          const file = done ?? sensitivityPath(req.model);
          resolve(code === 0 && !cancelled ? { ok: true, cancelled, file } : { ok: false, cancelled, error: cancelled ? 'cancelled' : error ?? lastErrorLine(stderr) ?? `exit code ${code}` });
        }));
      },
    );
    job.start();
  });
}

/**
 * The command: analyse, then `onResult` (the viewers reload their sensitivity). An error or a
 * cancel is reported to the user and in the outcome; nothing is thrown into the host.
 */
export async function analyseSensitivityCommand(
  context: vscode.ExtensionContext, arg: unknown, activeModel: () => string | undefined, onResult: (file: string) => void,
): Promise<SensitivityOutcome | undefined> {
  let req: SensitivityRequest | undefined;
  if (isRequest(arg)) req = arg;
  else {
    const model = arg instanceof vscode.Uri ? arg.fsPath : activeModel();
    if (!model) throw new Error('open a model in the Tritscope viewer, or right-click a float model (ONNX, TF.js) or a .tnn with latent weights');
    req = await ask(context.workspaceState, model);
  }
  if (!req) return undefined;
  if (!req.profile) req = { ...req, profile: await configuredProfileArg() };
  const outcome = await runSensitivity(context.extensionUri, req);
  if (outcome.ok && outcome.file) {
    onResult(outcome.file);
    void vscode.window.showInformationMessage(`Tritscope: sensitivity of ${path.basename(req.model)} written to ${path.basename(outcome.file)}`);
  } else if (!outcome.cancelled) void vscode.window.showErrorMessage(`Tritscope: sensitivity analysis failed: ${outcome.error}`);
  return outcome;
}
