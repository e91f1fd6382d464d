/**
 * Runs `tritscope quantize` in a child process (never on the extension host's
 * thread) and turns its JSON-lines progress into events. Pure Node: no `vscode`.
 * Cancel sends SIGTERM (the CLI aborts and deletes partial output), then SIGKILL
 * after a grace period so a stuck child never outlives the cancel by long.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { parseProgressLine, PROGRESS_VERSION, type ProgressEvent } from '../../shared/progress';
import { groupAlive, spawnGroup, stopGroup } from './processGroup';
import type { LaunchSpec } from './torchCommand';

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
  /** Set once 'exit' was emitted: the pid (and its group id) may belong to another process by then. */
  private ended = false;
  readonly startedAt = Date.now();

  /**
   * `launch` runs another program than the CLI (the PyTorch trainer) in its own process group: cancel and
   * exit then cover every process of the group (torchrun's workers, a launcher's children), `graceMs` after
   * SIGTERM before SIGKILL.
   */
  constructor(
    private readonly cliPath: string,
    private readonly args: string[],
    private readonly cwd: string,
    private readonly launch?: LaunchSpec & { graceMs: number },
  ) {
    super();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const launch = this.launch;
    // In desktop VS Code process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it plain Node.
    const child = launch
      ? spawnGroup(launch.command, launch.args, { cwd: this.cwd, env: { ...childEnv(process.env), ...launch.env } })
      : spawn(process.execPath, [this.cliPath, ...this.args], {
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
      this.emit('event', { version: PROGRESS_VERSION, type: 'error', message: `could not start ${launch ? launch.command : 'the tritscope CLI'}: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      if (buf.trim()) this.emit('event', parseProgressLine(buf));
      clearTimeout(this.killTimer);
      const exit = () => {
        this.ended = true;
        this.emit('exit', code ?? (signal ? 130 : 1), this.cancelled);
      };
      // A group leader can exit before its workers (torchrun's agent on a crash): the job ends when they are gone too.
      if (launch && child.pid !== undefined && groupAlive(child.pid)) void stopGroup(child.pid, launch.graceMs).then(exit);
      else exit();
    });
  }

  cancel(graceMs = 700): void {
    if (!this.child || this.cancelled || this.ended) return;
    if (this.launch && this.child.pid !== undefined) {
      this.cancelled = true;
      void stopGroup(this.child.pid, this.launch.graceMs);
      return;
    }
    if (this.child.exitCode !== null) return;
    this.cancelled = true;
    this.child.kill('SIGTERM');
    this.killTimer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
  }
}
