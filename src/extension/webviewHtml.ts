/**
 * The HTML shell of every Tritscope webview: a strict Content-Security-Policy
 * with a fresh nonce, no inline script, and only the bundle from dist/. The
 * title is a file name, so it is HTML-escaped.
 *
 * `workers: true` adds `worker-src blob:` for bundles that start a Web Worker
 * from code they carry (the graph layout): a blob: URL can only be made by a
 * script already running in the page, and scripts still need the nonce, so
 * this opens nothing to injected markup. `body` is static, already escaped
 * HTML placed before the root element (the compare view's table).
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { escapeHtml } from '../core/text';

export interface WebviewHtmlOptions {
  workers?: boolean;
  body?: string;
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: string, title: string, opts: WebviewHtmlOptions = {}): string {
  const nonce = randomBytes(16).toString('base64');
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, `${bundle}.js`));
  const cssFile = vscode.Uri.joinPath(dist, `${bundle}.css`);
  const css = existsSync(cssFile.fsPath) ? `<link rel="stylesheet" href="${webview.asWebviewUri(cssFile)}">` : '';
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    ...(opts.workers ? ['worker-src blob:'] : []),
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${css}
<title>${escapeHtml(title)}</title>
</head>
<body>
${opts.body ?? ''}<div id="root"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
