/**
 * The PyTorch backend as the extension runs it: settings, a Python that imports
 * torch (detected once per session), the launch spec, what to say when Python
 * or torch is missing (with the TF.js backend offered instead), and the local
 * `tritscope assemble` step for a job that ran where the Tritscope CLI is not.
 */
import * as vscode from 'vscode';
import { checkTorchJob, torchLaunch, type LaunchSpec, type TorchSettings } from './torchCommand';
import { detectTorchPython, missingReport, pythonCandidates, type MissingReport } from './pythonProbe';
import { isFactorySpec, type QuantizeJob } from './jobArgs';

/** Seconds the trainer gets after SIGTERM to stop at a step boundary (its checkpoint stays) before SIGKILL. */
const CANCEL_GRACE_MS = 15_000;

export function torchSettings(): TorchSettings {
  const c = vscode.workspace.getConfiguration('tritscope');
  return {
    python: c.get<string>('python', '').trim(),
    nprocPerNode: Math.max(1, Math.floor(c.get<number>('torch.nprocPerNode', 1) || 1)),
    launcher: c.get<string>('torch.launcher', '').trim(),
  };
}

const packageDir = (extensionUri: vscode.Uri) => vscode.Uri.joinPath(extensionUri, 'python').fsPath;

// Successful detections per candidate list: importing torch costs seconds, settings rarely change.
const detected = new Map<string, string>();

export type PythonChoice = { python: string; version?: string } | { missing: MissingReport };

/**
 * The interpreter for `job`. With a launcher the job runs elsewhere, so nothing is probed here: the
 * setting (or `python3`) is used as given. Otherwise the first candidate that imports torch.
 */
export async function choosePython(extensionUri: vscode.Uri, model: string): Promise<PythonChoice> {
  const s = torchSettings();
  if (s.launcher) return { python: s.python || 'python3' };
  const pyExt = vscode.workspace.getConfiguration('python').get<string>('defaultInterpreterPath');
  const candidates = pythonCandidates(s.python, pyExt);
  const needOnnx = model.toLowerCase().endsWith('.onnx');
  const key = `${candidates.join('\0')}|${needOnnx}`;
  const known = detected.get(key);
  if (known) return { python: known };
  const { chosen, probes } = await detectTorchPython(candidates, packageDir(extensionUri));
  const missing = missingReport(chosen ? [chosen] : probes, needOnnx);
  if (missing || !chosen) return { missing: missing ?? { summary: 'no usable Python', install: [] } };
  detected.set(key, chosen.python);
  return { python: chosen.python, version: chosen.torch };
}

/** The trainer's process for `job` with `python` (throws JobError for a job the trainer cannot run). */
export function launchFor(extensionUri: vscode.Uri, job: QuantizeJob, python: string, cwd: string): LaunchSpec & { graceMs: number } {
  checkTorchJob(job);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? cwd;
  const spec = torchLaunch(job, { ...torchSettings(), python }, {
    packageDir: packageDir(extensionUri),
    cliPath: vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath,
    nodePath: process.execPath,
    cwd,
    workspaceFolder: folder,
  }, process.env.PYTHONPATH);
  return { ...spec, graceMs: CANCEL_GRACE_MS };
}

/** The missing-Python/torch text for the terminal: the summary and the commands that install it. */
export function missingText(m: MissingReport): string {
  return `${m.summary}\nInstall:\n${m.install.map((l) => `  ${l}`).join('\n')}\n`;
}

export const USE_TFJS = 'Use TF.js in VS Code';
const OPEN_SETTINGS = 'Open Settings';

/**
 * Tells the user what is missing and offers the TF.js backend. `modal` in the guided flow (the user is
 * waiting for the next step); a plain notification for a task. Resolves true when TF.js was chosen.
 */
export async function offerTfjs(m: MissingReport, model: string, modal: boolean): Promise<boolean> {
  const tfjsPossible = !isFactorySpec(model);
  const buttons = [...(tfjsPossible ? [USE_TFJS] : []), OPEN_SETTINGS];
  const choice = modal
    ? await vscode.window.showWarningMessage('The PyTorch backend cannot run here', { modal: true, detail: missingText(m) }, ...buttons)
    : await vscode.window.showErrorMessage(`Tritscope: PyTorch backend: ${m.summary} Install: ${m.install[0]}`, ...buttons);
  if (choice === OPEN_SETTINGS) void vscode.commands.executeCommand('workbench.action.openSettings', 'tritscope.python');
  return choice === USE_TFJS;
}
