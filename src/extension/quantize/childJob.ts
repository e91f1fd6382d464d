/**
 * Runs `tritscope quantize` in a child process (never on the extension host's
 * thread) and turns its JSON-lines progress into events. Pure Node: no `vscode`.
 * Cancel sends SIGTERM (the CLI aborts and deletes partial output), then SIGKILL
 * after a grace period so a stuck child never outlives the cancel by long.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { parseProgressLine, PROGRESS_VERSION, type ProgressEvent } from '../../shared/progress';

export interface ChildJobEvents {
  event: [ProgressEvent];
  stderr: [string];
  exit: [code: number, cancelled: boolean];
}

/**
 * The CLI's environment: the extension host's, minus the IPC channel VS Code
 * forked the host with (a Node child inheriting NODE_CHANNEL_FD would try to
 * open that channel on an fd it does not have).
 */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, ELECTRON_RUN_AS_NODE: '1', FORCE_COLOR: '0' };
  delete out.NODE_CHANNEL_FD;
  delete out.NODE_CHANNEL_SERIALIZATION_MODE;
  return out;
}

export class ChildJob extends EventEmitter<ChildJobEvents> {
  private child?: ChildProcess;
  private cancelled = false;
  private killTimer?: NodeJS.Timeout;
  readonly startedAt = Date.now();

  constructor(
    private readonly cliPath: string,
    private readonly args: string[],
    private readonly cwd: string,
  ) {
    super();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    // In desktop VS Code process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it plain Node.
    const child = spawn(process.execPath, [this.cliPath, ...this.args], {
      cwd: this.cwd,
      env: childEnv(process.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let buf = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) this.emit('event', parseProgressLine(line));
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => this.emit('stderr', s));
    child.on('error', (err) => {
      this.emit('event', { version: PROGRESS_VERSION, type: 'error', message: `could not start the tritscope CLI: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      if (buf.trim()) this.emit('event', parseProgressLine(buf));
      clearTimeout(this.killTimer);
      this.emit('exit', code ?? (signal ? 130 : 1), this.cancelled);
    });
  }

  cancel(graceMs = 700): void {
    if (!this.child || this.child.exitCode !== null || this.cancelled) return;
    this.cancelled = true;
    this.child.kill('SIGTERM');
    this.killTimer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
  }
}
