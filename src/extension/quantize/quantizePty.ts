/**
 * The pseudoterminal behind a `tritscope` quantize task: it starts the CLI in a
 * child process, shows its log live in the terminal, drives a cancellable
 * progress notification, feeds the live training chart and, on success, opens
 * the new `.tnn` in the custom editor.
 */
import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { ChildJob } from './childJob';
import { describeExit } from './outcome';
import { jobLabel, jobToArgs, lastErrorLine, type QuantizeJob } from './jobArgs';
import { progressFraction, type ProgressEvent, type ProgressUpdate } from '../../shared/progress';
import { jobMonitor } from './jobMonitor';
import { showTrainingPanel, type TrainingPanel } from './trainingPanel';
import { choosePython, launchFor, missingText, offerTfjs } from './torchBackend';
import { pendingAssembly, removeIntermediates } from './torchCommand';
import { removeJobTemps } from './processGroup';

const fmt = (n: number | undefined, digits = 4) => (n === undefined ? '' : n.toFixed(digits));

function describe(e: ProgressUpdate): string {
  const parts: string[] = [];
  if (e.stage) parts.push(`stage ${e.stage}`);
  if (e.epoch) parts.push(`epoch ${e.epoch}/${e.epochs ?? '?'}`);
  if (e.step !== undefined && e.steps) parts.push(`step ${e.step}/${e.steps}`);
  if (e.loss !== undefined) parts.push(`loss ${fmt(e.loss)}`);
  if (e.acc !== undefined) parts.push(`acc ${(e.acc * 100).toFixed(2)}%`);
  if (e.etaSeconds !== undefined) parts.push(`ETA ${Math.round(e.etaSeconds)} s`);
  if (e.message) parts.push(e.message);
  return parts.join(' · ');
}

/** What the CLI reported on its JSON stream. */
interface RunReport {
  done?: Extract<ProgressEvent, { type: 'done' }>;
  error?: string;
}

export class QuantizePty implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private job?: ChildJob;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly def: QuantizeJob,
    private readonly cwd: string,
  ) {}

  private write(s: string): void {
    this.writeEmitter.fire(s.replace(/\r?\n/g, '\r\n'));
  }

  open(): void {
    if (this.def.backend === 'pytorch') {
      void this.openTorch();
      return;
    }
    const args = this.buildArgs();
    if (!args) return;
    const cli = vscode.Uri.joinPath(this.extensionUri, 'dist', 'cli.js').fsPath;
    this.write(`\x1b[1m${jobLabel(this.def)}\x1b[0m\n`);
    const maxOldSpaceMB = vscode.workspace.getConfiguration('tritscope').get<number>('quantize.maxHeapMB', 4096);
    this.run(new ChildJob(cli, args, this.cwd, { maxOldSpaceMB }), args, `tritscope ${args.join(' ')}`);
  }

  /** The PyTorch backend: find a Python with torch (or say what is missing and offer TF.js), then run the trainer. */
  private async openTorch(): Promise<void> {
    this.write(`\x1b[1m${jobLabel(this.def)}\x1b[0m\nlooking for a Python that imports torch…\n`);
    const choice = await choosePython(this.extensionUri, this.def.model);
    if ('missing' in choice) {
      this.fail(`PyTorch backend: ${choice.missing.summary}`, missingText(choice.missing));
      void offerTfjs(choice.missing, this.def.model, false).then((tfjs) => {
        if (tfjs) void vscode.commands.executeCommand('tritscope.quantize', { ...this.def, backend: 'tfjs' });
      });
      return;
    }
    let launch: ReturnType<typeof launchFor>;
    try {
      launch = launchFor(this.extensionUri, this.def, choice.python, this.cwd);
    } catch (e) {
      this.fail((e as Error).message);
      return;
    }
    this.run(new ChildJob('', [], this.cwd, { launch }), launch.args, launch.display);
  }

  /** Runs `job` (the CLI or the PyTorch trainer) with the terminal, notification, chart and result handling. */
  private run(job: ChildJob, args: string[], commandLine: string): void {
    this.write(`$ ${commandLine}\n`);
    this.job = job;
    const panel = this.def.qat ? showTrainingPanel(this.extensionUri, jobLabel(this.def)) : undefined;
    const progressDone = this.showProgress(job);
    const result = this.echoEvents(job, panel);
    const stderrTail = this.echoStderr(job);
    job.on('exit', (code, cancelled) => {
      void progressDone.then(() => this.finish(job, args, { code, cancelled, ...result(), stderrTail: stderrTail() }, panel));
    });
    jobMonitor.started(this.def, job);
    job.start();
  }

  /** The CLI arguments, or undefined after reporting a job that cannot run (exit 2, like a usage error). */
  private buildArgs(): string[] | undefined {
    try {
      return jobToArgs(this.def);
    } catch (e) {
      this.fail((e as Error).message);
      return undefined;
    }
  }

  /** Reports a job that cannot start (exit 2, like a usage error); `detail` goes to the terminal only. */
  private fail(message: string, detail?: string): void {
    this.write(`\x1b[31m${message}\x1b[0m\n${detail ?? ''}`);
    jobMonitor.finished({ job: this.def, code: 2, cancelled: false, ok: false, error: message });
    if (!detail) void vscode.window.showErrorMessage(`Tritscope: ${message}`);
    this.closeEmitter.fire(2);
  }

  /** The cancellable progress notification; resolves when the child has exited. */
  private showProgress(job: ChildJob): Promise<void> {
    return new Promise<void>((resolve) => {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Tritscope: ${jobLabel(this.def)}`, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => {
            this.write('\x1b[33mcancelling…\x1b[0m\n');
            job.cancel();
          });
          let last = 0;
          job.on('event', (e) => {
            if (e.type !== 'progress') return;
            const frac = progressFraction(e, this.def.twoStage ? 2 : 1);
            const pct = frac === undefined ? undefined : Math.round(frac * 100);
            progress.report({ message: describe(e), increment: pct === undefined ? undefined : Math.max(0, pct - last) });
            if (pct !== undefined) last = Math.max(last, pct);
          });
          return new Promise<void>((r) => job.on('exit', () => { r(); resolve(); }));
        },
      );
    });
  }

  /** Mirrors the CLI's JSON events to the terminal and the training chart; returns what the run reported. */
  private echoEvents(job: ChildJob, panel: TrainingPanel | undefined): () => RunReport {
    const report: RunReport = {};
    job.on('event', (e) => {
      if (e.type === 'log' && !e.temp) this.write(`${e.message}\n`);
      else if (e.type === 'progress') {
        this.write(`${describe(e)}\n`);
        panel?.post(e);
      } else if (e.type === 'done') report.done = e;
      else if (e.type === 'error') {
        report.error = e.message;
        this.write(`\x1b[31m${e.message}\x1b[0m\n`);
      }
    });
    return () => report;
  }

  /** Shows stderr live; usage errors are printed before the CLI starts its JSON stream, so its tail is the fallback message. */
  private echoStderr(job: ChildJob): () => string {
    let tail = '';
    job.on('stderr', (s) => {
      tail = (tail + s).slice(-2000);
      this.write(s);
    });
    return () => tail;
  }

  /** After the child exits: report the outcome, open the new `.tnn` on success, close the terminal. */
  private async finish(job: ChildJob, args: string[], r: RunReport & { code: number; cancelled: boolean; stderrTail: string }, panel: TrainingPanel | undefined): Promise<void> {
    const { code, cancelled } = r;
    const out = r.done?.output ?? this.def.output;
    if (this.def.backend === 'pytorch') await this.torchEpilogue(job, out, code === 0 && !cancelled && !r.error);
    const who = this.def.backend === 'pytorch' ? 'the PyTorch trainer' : 'the tritscope CLI';
    // A child killed with SIGKILL could not remove its temp files: the ones it announced go now, before anything is judged.
    const removedTemps = job.removeTemps(out);
    const mtime = (() => { try { return statSync(out).mtimeMs; } catch { return undefined; } })();
    const o = describeExit({ code, cancelled, startedAt: job.startedAt, cancelledAt: job.cancelledAt, output: out, outputMtimeMs: mtime, removedTemps,
      error: r.error ?? (code !== 0 ? lastErrorLine(r.stderrTail) : undefined), who });
    const { ok, failure } = o;
    const checkpoint = (cancelled || o.interrupted) && this.def.qat && existsSync(`${out}.ckpt`) ? `${out}.ckpt` : undefined;
    for (const line of o.lines) this.write(`\x1b[33m${line}\x1b[0m\n`);
    if (cancelled || o.interrupted) {
      if (checkpoint) this.write(`checkpoint of the finished epochs kept at ${checkpoint}: run the same job with "resume": true to continue\n`);
    } else if (ok) {
      this.write(`\x1b[32mwrote ${out}${r.done?.accuracy !== undefined ? ` (top-1 ${(r.done.accuracy * 100).toFixed(2)}%)` : ''}\x1b[0m\n`);
      // Opened before the outcome is reported, so a caller awaiting `tritscope.quantize` finds the editor open.
      await Promise.resolve(vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(out), 'tritscope.tnnEditor')).catch((e: Error) =>
        this.write(`\x1b[31mcould not open ${out}: ${e.message}\x1b[0m\n`));
    } else {
      void vscode.window.showErrorMessage(`Tritscope: quantization failed: ${failure}`);
    }
    jobMonitor.finished({ job: this.def, code, cancelled, ok, written: o.written, removedTemps, error: failure, pid: job.pid, args, checkpoint });
    panel?.finish(ok, cancelled || o.interrupted);
    this.closeEmitter.fire(code === 0 && !ok ? 1 : code);
  }

  /**
   * After a PyTorch job: a failed or cancelled run leaves no temp files; a run on a machine without the
   * Tritscope CLI (a launcher) left ONNX + sidecar, which are assembled into the `.tnn` here.
   */
  private async torchEpilogue(job: ChildJob, out: string, succeeded: boolean): Promise<void> {
    if (!succeeded) {
      for (const p of removeJobTemps(out, job.startedAt)) this.write(`removed ${p}\n`);
      return;
    }
    const parts = pendingAssembly(out, job.startedAt);
    if (!parts) return;
    const cli = vscode.Uri.joinPath(this.extensionUri, 'dist', 'cli.js').fsPath;
    const args = ['assemble', parts.onnx, parts.sidecar, '-o', out];
    this.write(`$ tritscope ${args.join(' ')}\n`);
    const asm = new ChildJob(cli, args, this.cwd);
    asm.on('stderr', (s) => this.write(s));
    asm.on('event', (e) => e.type !== 'progress' && this.write(`${'message' in e ? e.message : ''}\n`));
    const code = await new Promise<number>((r) => {
      asm.on('exit', (c) => r(c));
      asm.start();
    });
    if (code === 0) removeIntermediates(parts);
  }

  /** The terminal was closed or the task terminated: stop the child. */
  close(): void {
    this.job?.cancel();
  }

  handleInput(data: string): void {
    if (data === '\x03') this.job?.cancel(); // Ctrl+C in the task terminal
  }
}
