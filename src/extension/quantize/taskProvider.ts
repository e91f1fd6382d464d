/**
 * Tasks of type `tritscope`: a quantize job runs as a VS Code task (saved in
 * tasks.json and re-run like any task) with a pseudoterminal over a child process.
 */
import * as vscode from 'vscode';
import path from 'node:path';
import { jobLabel, validateJob, type QuantizeJob } from './jobArgs';
import { defaultOutputPath, workspaceGlob } from '../../core/model-formats/index';
import { QuantizePty } from './quantizePty';

/** Model and output as absolute paths (relative ones are relative to the workspace folder). */
export function resolvePaths(job: QuantizeJob, folder?: vscode.WorkspaceFolder): QuantizeJob {
  const base = folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  const abs = (p: string) => (path.isAbsolute(p) ? p : path.join(base, p));
  return { ...job, model: abs(job.model), output: abs(job.output) };
}

export function createQuantizeTask(extensionUri: vscode.Uri, job: QuantizeJob, scope: vscode.TaskScope | vscode.WorkspaceFolder = vscode.TaskScope.Workspace): vscode.Task {
  const folder = typeof scope === 'object' ? scope : undefined;
  const task = new vscode.Task(job, scope, jobLabel(job), 'tritscope', new vscode.CustomExecution(async (resolved) => {
    // `resolved` has variables substituted; `job` backs up fields a stale schema would have dropped.
    const def = resolvePaths(validateJob({ ...job, ...(resolved as unknown as Record<string, unknown>) }), folder);
    return new QuantizePty(extensionUri, def, path.dirname(def.model));
  }));
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  return task;
}

export class QuantizeTaskProvider implements vscode.TaskProvider {
  constructor(private readonly extensionUri: vscode.Uri) {}

  /** One post-training task per float model in the workspace, so "Run Task" offers them ready-made. */
  async provideTasks(): Promise<vscode.Task[]> {
    const models = await vscode.workspace.findFiles(workspaceGlob('quantize'), '**/{node_modules,.tritscope}/**', 50);
    return models.map((uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      const rel = (p: string) => (folder ? path.relative(folder.uri.fsPath, p) : p);
      const job = validateJob({ type: 'tritscope', model: rel(uri.fsPath), output: rel(defaultOutputPath(uri.fsPath, 'asym-uniform')), method: 'asym-uniform' });
      return createQuantizeTask(this.extensionUri, job, folder ?? vscode.TaskScope.Workspace);
    });
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    try {
      const job = validateJob(task.definition);
      const scope = task.scope === undefined ? vscode.TaskScope.Workspace : task.scope;
      // resolveTask must return a task with the *same* definition object.
      const t = createQuantizeTask(this.extensionUri, job, scope as vscode.TaskScope | vscode.WorkspaceFolder);
      return new vscode.Task(task.definition, t.scope ?? vscode.TaskScope.Workspace, t.name, 'tritscope', t.execution);
    } catch (e) {
      void vscode.window.showErrorMessage((e as Error).message);
      return undefined;
    }
  }
}
