/**
 * The activation view: a webview panel beside the listing that shows the
 * current layer's output (channel heatmaps or a bar chart) and follows the
 * debugger's `tritscope/layer` custom events as you step.
 */
import * as vscode from 'vscode';
import { webviewHtml } from '../webviewHtml';
import type { ActivationView, FromActivationWebview, ToActivationWebview } from '../../shared/activationView';

export class ActivationPanel {
  private panel?: vscode.WebviewPanel;
  private ready = false;
  private last?: ToActivationWebview;

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** Opens (or reveals) the panel beside the active editor without taking focus. */
  show(): void {
    if (this.panel) { this.panel.reveal(vscode.ViewColumn.Beside, true); return; }
    const panel = vscode.window.createWebviewPanel('tritscope.activations', 'Tritscope Activations', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
    });
    this.panel = panel;
    this.ready = false;
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'activations', 'Tritscope Activations');
    panel.webview.onDidReceiveMessage((m: FromActivationWebview) => {
      if (m?.type === 'ready') {
        this.ready = true;
        if (this.last) void panel.webview.postMessage(this.last);
      }
    });
    panel.onDidDispose(() => { this.panel = undefined; this.ready = false; });
  }

  update(view: ActivationView): void {
    this.post({ type: 'layer', view });
  }

  idle(message: string): void {
    this.post({ type: 'idle', message });
  }

  private post(msg: ToActivationWebview): void {
    this.last = msg;
    if (this.panel && this.ready) void this.panel.webview.postMessage(msg);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
