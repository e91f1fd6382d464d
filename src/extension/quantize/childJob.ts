/**
 * Runs `tritscope quantize` in a child process (never on the extension host's
 * thread) and turns its JSON-lines progress into events. Pure Node: no `vscode`.
 * Cancel sends SIGTERM (the CLI aborts and deletes partial output), then SIGKILL
 * after a grace period so a stuck child never outlives the cancel by long; the
 * temp files the child announced are removed by removeTemps() after it exited
 * (docs/cancellation.md). A `launch` job (the PyTorch trainer) runs in its own
 * process group, so cancel and exit cover all of its processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import { parseProgressLine, PROGRESS_VERSION, type ProgressEvent } from '../../shared/progress';
import { removeAnnouncedTemps } from './jobTemps';
import { groupAlive, spawnGroup, stopGroup } from './processGroup';
import type { LaunchSpec } from './torchCommand';

export interface ChildJobEvents {
  event: [ProgressEvent];
  stderr: [string];
  /** `code` is the exit status, or 128 + the signal number when a signal ended the child (as a shell reports it). */
  exit: [code: number, cancelled: boolean];
}

export interface ChildJobOptions {
  /** V8 heap ceiling of the child (`--max-old-space-size`, MB); typed arrays and WebAssembly memory lie outside it. */
  maxOldSpaceMB?: number;
  /**
   * Runs another program than the CLI (the PyTorch trainer) in its own process group: cancel and exit then
   * cover every process of the group (torchrun's workers, a launcher's children), `graceMs` after SIGTERM
   * before SIGKILL.
   */
  launch?: LaunchSpec & { graceMs: number };
}

/** 128 + signal number, the shell's convention (and the CLI's and the Python trainer's own exit codes on a signal). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
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
  private readonly temps = new Set<string>();
  /** Set once 'exit' was emitted: the pid (and its group id) may belong to another process by then. */
  private ended = false;
  readonly startedAt = Date.now();
  /** When cancel() was first called (ms since the epoch). */
  cancelledAt?: number;

  constructor(
    private readonly cliPath: string,
    private readonly args: string[],
    private readonly cwd: string,
    private readonly opts: ChildJobOptions = {},
  ) {
    super();
  }

  /** The temp files the child announced so far. */
  get announcedTemps(): string[] {
    return [...this.temps];
  }

  /** After the exit: removes the announced temps of `output` the child left (it was killed before its cleanup). */
  removeTemps(output: string): string[] {
    return removeAnnouncedTemps(this.temps, output);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    // In desktop VS Code process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it plain Node.
    const launch = this.opts.launch;
    const heap = this.opts.maxOldSpaceMB ? [`--max-old-space-size=${Math.round(this.opts.maxOldSpaceMB)}`] : [];
    const child = launch
      ? spawnGroup(launch.command, launch.args, { cwd: this.cwd, env: { ...childEnv(process.env), ...launch.env } })
      : spawn(process.execPath, [...heap, this.cliPath, ...this.args], {
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
        if (line.trim()) this.onLine(line);
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => this.emit('stderr', s));
    child.on('error', (err) => {
      this.emit('event', { version: PROGRESS_VERSION, type: 'error', message: `could not start ${launch ? launch.command : 'the tritscope CLI'}: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      if (buf.trim()) this.onLine(buf);
      clearTimeout(this.killTimer);
      const exit = () => {
        this.ended = true;
        this.emit('exit', code ?? (signal ? signalExitCode(signal) : 1), this.cancelled);
      };
      // A group leader can exit before its workers (torchrun's agent on a crash): the job ends when they are gone too.
      if (launch && child.pid !== undefined && groupAlive(child.pid)) void stopGroup(child.pid, launch.graceMs).then(exit);
      else exit();
    });
  }

  private onLine(line: string): void {
    const e = parseProgressLine(line);
    if (e.type === 'log' && e.temp) this.temps.add(e.temp);
    this.emit('event', e);
  }

  cancel(graceMs = 700): void {
    if (!this.child || this.cancelled || this.ended) return;
    if (this.opts.launch && this.child.pid !== undefined) {
      this.cancelled = true;
      this.cancelledAt = Date.now();
      void stopGroup(this.child.pid, this.opts.launch.graceMs);
      return;
    }
    if (this.child.exitCode !== null) return;
    this.cancelled = true;
    this.cancelledAt = Date.now();
    this.child.kill('SIGTERM');
    this.killTimer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
  }
}
