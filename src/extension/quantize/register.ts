/** "Quantize to ternary": command, explorer context menu, task provider. */
import * as vscode from 'vscode';
import { createQuantizeTask, QuantizeTaskProvider } from './taskProvider';
import { runQuantizeFlow } from './flow';
import { validateJob, type QuantizeJob } from './jobArgs';
import { jobMonitor, type JobOutcome } from './jobMonitor';

export { jobMonitor };

/**
 * `tritscope.quantize` takes: nothing (guided flow), a source Uri (explorer
 * menu; flow starts at step 2), or a complete job object (scripts/tests).
 * It resolves with the job's outcome once the task ends.
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
          job = await runQuantizeFlow(context.workspaceState, arg instanceof vscode.Uri ? arg : undefined);
        }
        if (!job) return undefined;
        const outcome = jobMonitor.nextOutcome();
        await vscode.tasks.executeTask(createQuantizeTask(context.extensionUri, job));
        return await outcome;
      } catch (e) {
        void vscode.window.showErrorMessage(`Tritscope: ${(e as Error).message}`);
        return undefined;
      }
    }),
    { dispose: () => jobMonitor.cancelAll() },
  );
}
