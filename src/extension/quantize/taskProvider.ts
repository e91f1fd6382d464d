/**
 * Tasks of type `tritscope`: a quantize job runs as a VS Code task (saved in
 * tasks.json and re-run like any task) with a pseudoterminal over a child process.
 */
import * as vscode from 'vscode';
import path from 'node:path';
import { isFactorySpec, jobLabel, validateJob, type QuantizeJob } from './jobArgs';
import { resolveModelSpec } from './torchCommand';
import { defaultOutputPath, workspaceGlob } from '../../core/model-formats/index';
import { QuantizePty } from './quantizePty';

/** Model and output as absolute paths (relative ones are relative to the workspace folder). */
export function resolvePaths(job: QuantizeJob, folder?: vscode.WorkspaceFolder): QuantizeJob {
  const base = folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  const abs = (p: string) => (path.isAbsolute(p) ? p : path.join(base, p));
  // A PyTorch MODULE:FACTORY spec is not a path (file.py:FACTORY has its file part resolved).
  return { ...job, model: resolveModelSpec(job.model, base), output: abs(job.output), weights: job.weights && abs(job.weights) };
}

/**
 * The job's working folder: the source model's; for a PyTorch MODULE:FACTORY spec the workspace folder,
 * which `python -m` puts on sys.path so the user's own modules import.
 */
function jobCwd(def: QuantizeJob, folder?: vscode.WorkspaceFolder): string {
  if (isFactorySpec(def.model) && !def.model.includes('.py:')) return folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.dirname(def.output);
  return path.dirname(def.model.replace(/:\w+$/, ''));
}

export function createQuantizeTask(extensionUri: vscode.Uri, job: QuantizeJob, scope: vscode.TaskScope | vscode.WorkspaceFolder = vscode.TaskScope.Workspace): vscode.Task {
  const folder = typeof scope === 'object' ? scope : undefined;
  const task = new vscode.Task(job, scope, jobLabel(job), 'tritscope', new vscode.CustomExecution(async (resolved) => {
    // `resolved` has variables substituted; `job` backs up fields a stale schema would have dropped.
    const def = resolvePaths(validateJob({ ...job, ...(resolved as unknown as Record<string, unknown>) }), folder);
    return new QuantizePty(extensionUri, def, jobCwd(def, folder));
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
