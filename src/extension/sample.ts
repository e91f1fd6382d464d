/**
 * "Open Sample Model": opens the Fashion-MNIST ternary CNN in the Tritscope
 * custom editor. The workspace copy (samples/models/fashion-cnn.tnn, the one
 * `npm run sample` trains) wins over the copy shipped inside the extension so a
 * user who retrained the sample sees their own model.
 */
import * as vscode from 'vscode';
import { registerSafeCommand } from './safeCommand';
import { TritscopeError } from '../core/errors';

export const SAMPLE_WORKSPACE_PATHS = ['models/fashion-cnn.tnn', 'samples/models/fashion-cnn.tnn'];
export const SAMPLE_SHIPPED_PATH = 'media/samples/fashion-cnn.tnn';

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** The sample to open: first workspace match, else the shipped copy. */
export async function findSampleModel(extensionUri: vscode.Uri): Promise<vscode.Uri> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    for (const rel of SAMPLE_WORKSPACE_PATHS) {
      const uri = vscode.Uri.joinPath(folder.uri, rel);
      if (await exists(uri)) return uri;
    }
  }
  const shipped = vscode.Uri.joinPath(extensionUri, SAMPLE_SHIPPED_PATH);
  if (await exists(shipped)) return shipped;
  throw new TritscopeError(
    `sample model not found: looked for ${SAMPLE_WORKSPACE_PATHS.join(' or ')} in the workspace and ${shipped.fsPath} in the extension (run \`npm run sample\` to train it)`,
  );
}

export function registerSampleCommands(context: vscode.ExtensionContext): void {
  registerSafeCommand(context, 'tritscope.openSample', 'Open Sample Model', async () => {
    const uri = await findSampleModel(context.extensionUri);
    await vscode.commands.executeCommand('vscode.openWith', uri, 'tritscope.tnnEditor');
    return uri;
  });
}
