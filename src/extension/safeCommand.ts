/**
 * Command registration that never lets an exception escape into the extension
 * host: failures are shown to the user (TritscopeError messages already name the
 * file and field) and logged with their stack to the "Tritscope" output channel.
 */
import * as vscode from 'vscode';
import { TritscopeError } from '../core/errors';

let channel: vscode.OutputChannel | undefined;

export function tritscopeLog(): vscode.OutputChannel {
  channel ??= vscode.window.createOutputChannel('Tritscope');
  return channel;
}

export function reportError(action: string, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  const known = err instanceof TritscopeError;
  tritscopeLog().appendLine(`[error] ${action}: ${err instanceof Error && !known ? (err.stack ?? message) : message}`);
  void vscode.window.showErrorMessage(`Tritscope: ${action} failed: ${message}`);
}

export function registerSafeCommand(
  context: vscode.ExtensionContext,
  id: string,
  action: string,
  handler: (...args: unknown[]) => unknown,
): void {
  const wrapped = async (...args: unknown[]): Promise<unknown> => {
    try {
      return await handler(...args);
    } catch (err) {
      reportError(action, err);
      return undefined;
    }
  };
  context.subscriptions.push(vscode.commands.registerCommand(id, wrapped));
}
