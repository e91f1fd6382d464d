/**
 * The repository the tests run from. The harnesses open a scratch copy of samples/ (so test artifacts never land in
 * the user's samples/.tritscope/) and pass the repository in TRITSCOPE_REPO_ROOT; without it (an older harness, or
 * samples/ opened by hand) the workspace's parent is the repository.
 */
import path from 'node:path';
import * as vscode from 'vscode';

export function repoRoot(): string {
  return process.env.TRITSCOPE_REPO_ROOT ?? path.dirname(vscode.workspace.workspaceFolders![0].uri.fsPath);
}
