/**
 * What a quantize job's terminal says when the child has exited: read from the
 * exit code, whether the output file now exists (and was written by this job),
 * and which temp files were left and removed — never assumed from whether the
 * user pressed Cancel. Pure: no `vscode`, no file system (the caller stats).
 * docs/cancellation.md gives the exit codes.
 */

export interface ExitFacts {
  /** Exit status; 128 + n when signal n ended the child (ChildJob). */
  code: number;
  cancelled: boolean;
  /** ms since the epoch */
  startedAt: number;
  cancelledAt?: number;
  output: string;
  /** mtime of `output` after the exit (ms), undefined when it does not exist. */
  outputMtimeMs?: number;
  /** Temp files the child left and the extension removed. */
  removedTemps: string[];
  /** The job's own error message (its JSON `error` event, or stderr's last line). */
  error?: string;
  /** Who ran: 'the tritscope CLI', 'the PyTorch trainer'. */
  who: string;
}

export interface Outcome {
  ok: boolean;
  /** `output` exists and was written by this job. */
  written: boolean;
  /** The child stopped on a signal (its own handler's 130/143, or killed). */
  interrupted: boolean;
  /** Lines for the terminal, without colours. */
  lines: string[];
  /** Set when the job failed for a reason other than an interruption: the message for the error notification. */
  failure?: string;
}

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 9: 'SIGKILL', 15: 'SIGTERM' };

/** "SIGTERM" for 143, …; undefined for codes that are not 128 + a signal we send or expect. */
export function signalOfExitCode(code: number): string | undefined {
  return code > 128 ? SIGNALS[code - 128] : undefined;
}

/** mtime resolution and clock skew between writer and reader (network folders): a second. */
const SLACK_MS = 1000;

export function describeExit(f: ExitFacts): Outcome {
  const written = f.outputMtimeMs !== undefined && f.outputMtimeMs + SLACK_MS >= f.startedAt;
  const signal = signalOfExitCode(f.code);
  const interrupted = signal !== undefined;
  const how = signal === 'SIGKILL' ? `killed with SIGKILL (exit ${f.code}) after the grace period` : signal ? `stopped on ${signal} (exit ${f.code})` : `exit ${f.code}`;
  const lines: string[] = [];
  let failure: string | undefined;
  let ok = false;
  if (f.cancelled && written) {
    const before = f.cancelledAt !== undefined && f.outputMtimeMs! < f.cancelledAt;
    lines.push(`cancelled, but ${f.output} ${before ? 'was already written before the cancel' : 'was written before the cancel reached the job'} (${how}); it is kept`);
  } else if (f.cancelled) {
    lines.push(`cancelled: no output was written (${how})`);
  } else if (f.code === 0 && written && !f.error) {
    ok = true;
  } else if (interrupted && !written) {
    lines.push(`interrupted: no output was written (${how})`);
  } else {
    failure = f.error ?? (f.code === 0 ? `${f.who} exited without writing ${f.output}` : `${f.who} exited with code ${f.code}`);
    if (written) lines.push(`${f.output} was written before the failure; check it`);
  }
  for (const t of f.removedTemps) lines.push(`removed ${t} (left by the stopped job)`);
  return { ok, written, interrupted, lines, failure };
}
