/**
 * Which quantize jobs run now and how the last ones ended. The extension's
 * exported API exposes it (`quantizeJobs`) so integration tests can cancel jobs
 * and check that a cancelled job left no child process behind.
 */
import type { ChildJob } from './childJob';
import type { QuantizeJob } from './jobArgs';

export interface JobOutcome {
  /** The job as it ran (model and output resolved to absolute paths). */
  job: QuantizeJob;
  /** The child's exit status (128 + n when signal n ended it). */
  code: number;
  cancelled: boolean;
  ok: boolean;
  /** The output file exists and was written by this run (a cancel that came too late keeps it). */
  written?: boolean;
  /** Temp files the child left (killed before its own cleanup) that the extension removed. */
  removedTemps?: string[];
  error?: string;
  pid?: number;
  /** The `tritscope` arguments the child ran with. */
  args?: string[];
  /** Checkpoint a cancelled QAT run left for `resume: true`, if any. */
  checkpoint?: string;
}

interface Waiter {
  matches: (o: JobOutcome) => boolean;
  resolve: (o: JobOutcome) => void;
}

export class JobMonitor {
  readonly running = new Set<ChildJob>();
  readonly outcomes: JobOutcome[] = [];
  private waiters: Waiter[] = [];

  started(_def: QuantizeJob, job: ChildJob): void {
    this.running.add(job);
    job.on('exit', () => this.running.delete(job));
  }

  finished(o: JobOutcome): void {
    this.outcomes.push(o);
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.matches(o)) w.resolve(o);
      else keep.push(w);
    }
    this.waiters = keep;
  }

  /** Resolves with the next outcome that `matches` (any job when omitted). */
  nextOutcome(matches: (o: JobOutcome) => boolean = () => true): Promise<JobOutcome> {
    return new Promise((resolve) => this.waiters.push({ matches, resolve }));
  }

  /** Process ids of the running child processes. */
  runningPids(): number[] {
    return [...this.running].map((j) => j.pid).filter((p): p is number => p !== undefined);
  }

  cancelAll(): void {
    for (const j of this.running) j.cancel();
  }
}

export const jobMonitor = new JobMonitor();
