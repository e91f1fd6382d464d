/** A webview panel drawing live loss and accuracy curves of a QAT job (chart.js in dist/training.js). */
import * as vscode from 'vscode';
import type { FromTrainingView, ToTrainingView, TrainingPoint } from '../../shared/trainingMessages';
import { webviewHtml } from '../webviewHtml';

export interface TrainingPanel {
  post(p: TrainingPoint): void;
  finish(ok: boolean, cancelled: boolean): void;
}

export function showTrainingPanel(extensionUri: vscode.Uri, title: string): TrainingPanel {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const panel = vscode.window.createWebviewPanel('tritscope.training', `Training: ${title}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
    enableScripts: true,
    localResourceRoots: [dist],
  });
  panel.webview.html = webviewHtml(panel.webview, extensionUri, 'training', 'Tritscope training');
  // Points that arrive before the webview says it is ready are queued, then replayed.
  const queue: ToTrainingView[] = [{ type: 'init', title }];
  let ready = false;
  let disposed = false;
  const send = (m: ToTrainingView) => {
    if (disposed) return;
    if (ready) void panel.webview.postMessage(m);
    else queue.push(m);
  };
  panel.webview.onDidReceiveMessage((m: FromTrainingView) => {
    if (m.type === 'ready') {
      ready = true;
      for (const q of queue.splice(0)) void panel.webview.postMessage(q);
    }
  });
  panel.onDidDispose(() => (disposed = true));
  return {
    post: (point) => send({ type: 'point', point }),
    finish: (ok, cancelled) => send({ type: 'finished', ok, cancelled }),
  };
}
