/** "Quantize to ternary": command, explorer context menu, task provider. */
import * as vscode from 'vscode';
import { createQuantizeTask, QuantizeTaskProvider, resolvePaths } from './taskProvider';
import { runQuantizeFlow } from './flow';
import { validateJob, type QuantizeJob } from './jobArgs';
import { jobMonitor, type JobOutcome } from './jobMonitor';

export { jobMonitor };

/**
 * Resolves with the outcome of `job`'s run. The outcome is matched by output
 * path (two live jobs never share one), and a task that ends without one (it
 * could not start) still settles the promise.
 */
async function runAsTask(extensionUri: vscode.Uri, job: QuantizeJob): Promise<JobOutcome> {
  const resolved = resolvePaths(job);
  const outcome = jobMonitor.nextOutcome((o) => o.job.output === resolved.output);
  const execution = await vscode.tasks.executeTask(createQuantizeTask(extensionUri, job));
  const ended = new Promise<JobOutcome>((resolve) => {
    const sub = vscode.tasks.onDidEndTask((e) => {
      if (e.execution !== execution) return;
      sub.dispose();
      // The pseudoterminal reports its outcome before it closes; this only fires for tasks that never ran.
      setTimeout(() => resolve({ job: resolved, code: 1, cancelled: false, ok: false, error: 'the quantize task ended without a result' }), 2000);
    });
  });
  return Promise.race([outcome, ended]);
}

/**
 * `tritscope.quantize` takes: nothing (guided flow), a source Uri (explorer
 * menu; flow starts at step 2), or a complete job object (scripts/tests).
 * It resolves with the job's outcome once the task ends (and the new `.tnn` is open).
 */
export function registerQuantize(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.tasks.registerTaskProvider('tritscope', new QuantizeTaskProvider(context.extensionUri)),
    vscode.commands.registerCommand('tritscope.quantize', async (arg?: vscode.Uri | Partial<QuantizeJob>): Promise<JobOutcome | undefined> => {
      try {
        let job: QuantizeJob | undefined;
        if (arg && !(arg instanceof vscode.Uri) && typeof arg === 'object' && 'model' in arg) {
          job = validateJob({ type: 'tritscope', ...arg });
        } else {
          job = await runQuantizeFlow(context.workspaceState, arg instanceof vscode.Uri ? arg : undefined, context.extensionUri);
        }
        if (!job) return undefined;
        return await runAsTask(context.extensionUri, job);
      } catch (e) {
        void vscode.window.showErrorMessage(`Tritscope: ${(e as Error).message}`);
        return undefined;
      }
    }),
    { dispose: () => jobMonitor.cancelAll() },
  );
}
