// A stand-alone page around dist/webview.js for benchmarks and visual checks outside VS Code:
// a stub acquireVsCodeApi that records what the webview posts, and the VS Code theme variables the
// UI uses (Dark Modern / Light Modern values), so screenshots look like the real editor.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const THEMES = {
  dark: {
    body: 'vscode-dark',
    vars: {
      foreground: '#cccccc', 'editor-background': '#1f1f1f', 'editorWidget-border': '#454545', 'editorWidget-background': '#202020',
      descriptionForeground: '#9d9d9d', 'charts-red': '#f14c4c', 'charts-blue': '#3794ff', 'charts-green': '#89d185', 'charts-orange': '#d18616',
      'charts-purple': '#b180d7', 'charts-yellow': '#cca700', 'list-activeSelectionBackground': '#04395e', 'list-hoverBackground': '#2a2d2e',
      focusBorder: '#0078d4', errorForeground: '#f85149', 'editorWarning-foreground': '#cca700', 'progressBar-background': '#0078d4',
      'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc',
      'input-background': '#313131', 'input-foreground': '#cccccc', 'input-border': '#3c3c3c', 'font-family': 'system-ui, sans-serif', 'font-size': '13px',
      'editor-font-family': 'monospace',
    },
  },
  light: {
    body: 'vscode-light',
    vars: {
      foreground: '#3b3b3b', 'editor-background': '#ffffff', 'editorWidget-border': '#c8c8c8', 'editorWidget-background': '#f8f8f8',
      descriptionForeground: '#6f6f6f', 'charts-red': '#e51400', 'charts-blue': '#1a85ff', 'charts-green': '#388a34', 'charts-orange': '#d18616',
      'charts-purple': '#652d90', 'charts-yellow': '#bf8803', 'list-activeSelectionBackground': '#e8e8e8', 'list-hoverBackground': '#f2f2f2',
      focusBorder: '#005fb8', errorForeground: '#f85149', 'editorWarning-foreground': '#bf8803', 'progressBar-background': '#005fb8',
      'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b',
      'input-background': '#ffffff', 'input-foreground': '#3b3b3b', 'input-border': '#cecece', 'font-family': 'system-ui, sans-serif', 'font-size': '13px',
      'editor-font-family': 'monospace',
    },
  },
};

/** Writes `<dir>/webview-<theme>.html` and returns its file URL. */
export function writeWebviewPage(root, dir, theme = 'dark') {
  const t = THEMES[theme];
  const vars = Object.entries(t.vars).map(([k, v]) => `--vscode-${k}:${v}`).join(';');
  const html = path.join(dir, `webview-${theme}.html`);
  writeFileSync(html, `<!DOCTYPE html><html><head><meta charset="UTF-8"><link rel="stylesheet" href="${pathToFileURL(path.join(root, 'dist/webview.css'))}">
<style>html{${vars}} body{font-family:var(--vscode-font-family);font-size:var(--vscode-font-size)}</style></head>
<body class="${t.body}"><div id="root"></div><script>
window.__posted=[];window.acquireVsCodeApi=()=>({postMessage:(m)=>window.__posted.push(m),getState:()=>undefined,setState:()=>{}});
</script><script src="${pathToFileURL(path.join(root, 'dist/webview.js'))}"></script></body></html>`);
  return pathToFileURL(html).href;
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'] });
}
