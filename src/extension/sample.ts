/**
 * "Open Sample Model": opens the Fashion-MNIST CNN after quantization-aware
 * training (ternary weights and activations: the method at its best) in the
 * Tritscope custom editor, and offers its post-training twin beside it through
 * Compare. A workspace copy (samples/models/, the ones `npm run sample` and the
 * README's commands make) wins over the copy shipped inside the extension so a
 * user who retrained a sample sees their own model.
 *
 * On the first start in a folder holding the samples (`npm start` opens
 * samples/), the QAT sample opens by itself, once per profile
 * (`tritscope.openSampleOnFirstStart`).
 */
import * as vscode from 'vscode';
import { registerSafeCommand, reportError } from './safeCommand';
import { TritscopeError } from '../core/errors';

/** The QAT W+A sample (opened) and the post-training one (offered through Compare). */
export const SAMPLE_FILES = { qat: 'fashion-qat.tnn', postTraining: 'fashion-cnn.tnn' } as const;
export const SAMPLE_WORKSPACE_DIRS = ['models', 'samples/models'];
export const SAMPLE_SHIPPED_DIR = 'media/samples';
const OPENED_ONCE_MARKER = 'sample-opened-on-first-start';

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** A sample in the workspace, undefined when no folder holds it. */
async function workspaceSample(file: string): Promise<vscode.Uri | undefined> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    for (const dir of SAMPLE_WORKSPACE_DIRS) {
      const uri = vscode.Uri.joinPath(folder.uri, dir, file);
      if (await exists(uri)) return uri;
    }
  }
  return undefined;
}

/** The sample to open: first workspace match, else the shipped copy. */
export async function findSampleModel(extensionUri: vscode.Uri, file: string = SAMPLE_FILES.qat): Promise<vscode.Uri> {
  const found = await workspaceSample(file);
  if (found) return found;
  const shipped = vscode.Uri.joinPath(extensionUri, SAMPLE_SHIPPED_DIR, file);
  if (await exists(shipped)) return shipped;
  throw new TritscopeError(
    `sample model not found: looked for ${SAMPLE_WORKSPACE_DIRS.map((d) => `${d}/${file}`).join(' or ')} in the workspace and ${shipped.fsPath} in the extension (samples/models/README.md says how to make it)`,
  );
}

/** Opens the QAT sample and, without waiting, offers the post-training one through Compare. */
async function openSample(extensionUri: vscode.Uri): Promise<vscode.Uri> {
  const qat = await findSampleModel(extensionUri, SAMPLE_FILES.qat);
  await vscode.commands.executeCommand('vscode.openWith', qat, 'tritscope.tnnEditor');
  const postTraining = await findSampleModel(extensionUri, SAMPLE_FILES.postTraining).catch(() => undefined);
  if (postTraining) {
    const compare = 'Compare with post-training';
    void vscode.window
      .showInformationMessage(
        `Tritscope: ${SAMPLE_FILES.qat} is the Fashion-MNIST CNN after quantization-aware training (ternary weights and activations). ${SAMPLE_FILES.postTraining} is the same CNN ternarized after training, weights only: compare them layer by layer.`,
        compare,
      )
      .then(async (choice) => {
        if (choice === compare) await vscode.commands.executeCommand('tritscope.compare', qat, postTraining);
      }, (err) => reportError('comparing the samples', err));
  }
  return qat;
}

/**
 * The first start in a folder holding the samples opens the QAT sample, once per profile. The "once" is a marker
 * file in the extension's global storage, written before the sample opens: globalState reaches disk only when VS Code
 * flushes it, and `npm start`'s Ctrl+C stops code-server before that (it opened again on the next start).
 */
async function openOnFirstStart(context: vscode.ExtensionContext): Promise<void> {
  if (!vscode.workspace.getConfiguration('tritscope').get<boolean>('openSampleOnFirstStart', true)) return;
  const marker = vscode.Uri.joinPath(context.globalStorageUri, OPENED_ONCE_MARKER);
  if (await exists(marker)) return;
  // Only where the samples are (npm start's samples/), and only when the user is not already looking at something.
  if (!(await workspaceSample(SAMPLE_FILES.qat)) || vscode.window.tabGroups.all.some((g) => g.tabs.length > 0)) return;
  await vscode.workspace.fs.createDirectory(context.globalStorageUri);
  await vscode.workspace.fs.writeFile(marker, new TextEncoder().encode(`${new Date().toISOString()}\n`));
  await openSample(context.extensionUri);
}

export function registerSampleCommands(context: vscode.ExtensionContext): void {
  registerSafeCommand(context, 'tritscope.openSample', 'Open Sample Model', () => openSample(context.extensionUri));
  void openOnFirstStart(context).catch((err) => reportError('opening the sample model on the first start', err));
}
