/**
 * The guided "Quantize to ternary" flow: a few QuickPicks and InputBoxes that
 * end in a QuantizeJob. Last choices are remembered per workspace.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { methodPickItems, type QuantizeJob } from './jobArgs';
import { confirmBackend, FACTORY_ITEM, pickBackend, pickFactorySource, type Backend } from './flowTorch';
import { PYTORCH_METHODS } from './torchCommand';
import { defaultOutputPath, dialogExtensions, formatByName, namesText, workspaceGlob } from '../../core/model-formats/index';

const STATE_KEY = 'tritscope.quantize.last';

type Remembered = Partial<Omit<QuantizeJob, 'model' | 'output' | 'type' | 'resume' | 'force'>> & { factory?: string };

/** A model file, or FACTORY_ITEM for a PyTorch model definition. */
async function pickSource(): Promise<vscode.Uri | typeof FACTORY_ITEM | undefined> {
  const found = await vscode.workspace.findFiles(workspaceGlob('quantize'), '**/node_modules/**', 200);
  const items: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = found.map((uri) => ({
    label: vscode.workspace.asRelativePath(uri),
    description: formatByName(uri.fsPath)?.label,
    uri,
  }));
  items.push({ label: '$(folder-opened) Browse…' }, { label: FACTORY_ITEM });
  const pick = await vscode.window.showQuickPick(items, { title: 'Quantize to ternary (1/6): source float model', placeHolder: `a float model: ${namesText('quantize')}` });
  if (!pick) return undefined;
  if (pick.uri) return pick.uri;
  if (pick.label === FACTORY_ITEM) return FACTORY_ITEM;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Float models': dialogExtensions('quantize') } });
  return chosen?.[0];
}

async function pick<T extends string>(title: string, options: { value: T; label: string; detail?: string }[], last?: T): Promise<T | undefined> {
  const items = options.map((o) => ({ label: o.label, detail: o.detail, value: o.value, picked: o.value === last }));
  items.sort((a, b) => Number(b.picked) - Number(a.picked));
  const r = await vscode.window.showQuickPick(items, { title });
  return r?.value;
}

/** Runs the flow; undefined when the user escapes at any step. */
export async function runQuantizeFlow(state: vscode.Memento, source?: vscode.Uri, extensionUri?: vscode.Uri): Promise<QuantizeJob | undefined> {
  const last = state.get<Remembered>(STATE_KEY) ?? {};
  const picked = source ?? (await pickSource());
  if (!picked) return undefined;
  // A PyTorch model definition trains on the PyTorch backend only: no post-training, no backend question.
  const factory = picked === FACTORY_ITEM ? await pickFactorySource(last.factory) : undefined;
  if (picked === FACTORY_ITEM && !factory) return undefined;
  const src = factory ? { fsPath: factory.model } : (picked as vscode.Uri);
  const torchTrains = (m: string) => PYTORCH_METHODS.includes(m);
  const methods = methodPickItems().filter((m) => !factory || torchTrains(m.value));
  const method = await pick('Quantize to ternary (2/6): method', methods, last.method);
  if (!method) return undefined;
  const trainable = methods.find((m) => m.value === method)?.trainable ?? false;
  const mode = factory ? 'qat' : await pick('Quantize to ternary (3/6): how', [
    { value: 'ptq', label: 'Post-training', detail: 'seconds; no training' },
    // Offered only for methods with a QAT strategy in the quantizer registry.
    ...(trainable ? [{ value: 'qat' as const, label: 'Quantization-aware training', detail: 'training on a data set (runs as a task, cancellable)' }] : []),
  ], last.qat ? 'qat' : 'ptq');
  if (!mode) return undefined;
  const qat = mode === 'qat';
  // PyTorch is offered where its trainer reads the source (ONNX) and trains the method (PYTORCH_METHODS).
  const torchCan = qat && path.basename(src.fsPath) !== 'model.json' && torchTrains(method);
  let backend: Backend | undefined = factory ? 'pytorch' : torchCan ? await pickBackend(last.backend) : 'tfjs';
  // Checked before the remaining steps, so a missing torch is said (and TF.js offered) before more questions.
  if (backend === 'pytorch' && extensionUri) backend = await confirmBackend(extensionUri, src.fsPath);
  if (!backend) return undefined;
  const acts = await pick('Quantize to ternary (4/6): what becomes ternary', [
    { value: 'float', label: 'Weights only', detail: 'activations stay float' },
    { value: 'ternary', label: 'Weights + activations', detail: 'inputs of ternary layers are ternarized too (calibrated on data)' },
  ], last.activations ?? 'float');
  if (!acts) return undefined;
  const needsData = qat || acts === 'ternary';
  const dataChoices = [
    { value: 'fashion-mnist:train', label: 'fashion-mnist:train', detail: 'Debian dataset-fashion-mnist, 60,000 images' },
    { value: 'fashion-mnist:test', label: 'fashion-mnist:test', detail: '10,000 images' },
    { value: 'custom', label: 'Other…', detail: 'idx:<images.gz>,<labels.gz> or npy:<x.npy>,<y.npy>' },
  ];
  if (!needsData) dataChoices.push({ value: 'none', label: 'None', detail: 'no accuracy measurement' });
  let data: string | undefined = await pick('Quantize to ternary (5/6): data set', dataChoices, last.data ?? 'fashion-mnist:train');
  if (!data) return undefined;
  if (data === 'custom') {
    data = await vscode.window.showInputBox({ title: 'Data set spec', value: 'idx:', prompt: 'idx:<images.gz>,<labels.gz> or npy:<x.npy>,<y.npy>' });
    if (!data) return undefined;
  }
  if (data === 'none') data = undefined;
  let epochs: number | undefined;
  let kd = false;
  let twoStage = false;
  if (qat) {
    const e = await vscode.window.showInputBox({
      title: 'Epochs', value: String(last.epochs ?? 3),
      validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 ? undefined : 'a positive whole number'),
    });
    if (!e) return undefined;
    epochs = Number(e);
    const k = await pick('Knowledge distillation (seed paper Eq. 10–11)', [
      { value: 'none', label: 'None', detail: 'cross-entropy only' },
      { value: 'one', label: 'One-stage KD', detail: 'λ·KD + (1−λ)·CE, λ = 0.9' },
      { value: 'two', label: 'Two-stage KD', detail: 'stage 1 ternary activations (KD), stage 2 ternary weights + activations' },
    ], last.twoStage ? 'two' : last.kd ? 'one' : 'none');
    if (!k) return undefined;
    kd = k !== 'none';
    twoStage = k === 'two';
  }
  const output = await vscode.window.showInputBox({
    title: 'Quantize to ternary (6/6): output .tnn',
    value: factory ? path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', `${factory.model.split(':').pop()}.${method}.qat.tnn`) : defaultOutputPath(src.fsPath, method, qat),
    validateInput: (v) => (!v.endsWith('.tnn') ? 'the output must end in .tnn' : path.resolve(v) === path.resolve(src.fsPath) ? 'the output must not be the source model' : undefined),
  });
  if (!output) return undefined;
  let force = false;
  if (existsSync(output)) {
    const ok = await vscode.window.showWarningMessage(`${path.basename(output)} exists. Overwrite it?`, { modal: true }, 'Overwrite');
    if (ok !== 'Overwrite') return undefined;
    force = true;
  }
  let resume = false;
  if (qat && existsSync(`${output}.ckpt`)) {
    const r = await pick('A cancelled run of this job left a checkpoint', [
      { value: 'resume', label: 'Resume', detail: `continue from ${path.basename(output)}.ckpt` },
      { value: 'restart', label: 'Start over', detail: 'train from the float model again' },
    ], 'resume');
    if (!r) return undefined;
    resume = r === 'resume';
  }
  const job: QuantizeJob = { type: 'tritscope', model: src.fsPath, output, method, qat, activations: acts, data, epochs, kd, twoStage, resume, force, backend, weights: factory?.weights };
  const remembered: Remembered = { method, qat, activations: acts, data, epochs, kd, twoStage, backend, factory: factory?.model ?? last.factory };
  await state.update(STATE_KEY, remembered);
  return job;
}
