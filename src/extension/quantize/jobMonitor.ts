/**
 * Which quantize jobs run now and how the last ones ended. The extension's
 * exported API exposes it so integration tests can check that a cancelled job
 * left no child process behind.
 */
import type { ChildJob } from './childJob';
import type { QuantizeJob } from './jobArgs';

export interface JobOutcome {
  job: QuantizeJob;
  code: number;
  cancelled: boolean;
  ok: boolean;
  error?: string;
  pid?: number;
}

type Listener = (o: JobOutcome) => void;

class JobMonitor {
  readonly running = new Set<ChildJob>();
  readonly outcomes: JobOutcome[] = [];
  private listeners: Listener[] = [];

  started(_def: QuantizeJob, job: ChildJob): void {
    this.running.add(job);
    job.on('exit', () => this.running.delete(job));
  }

  finished(o: JobOutcome): void {
    this.outcomes.push(o);
    for (const l of this.listeners.splice(0)) l(o);
  }

  /** Resolves with the next job outcome. */
  nextOutcome(): Promise<JobOutcome> {
    return new Promise((r) => this.listeners.push(r));
  }

  cancelAll(): void {
    for (const j of this.running) j.cancel();
  }
}

export const jobMonitor = new JobMonitor();
