/** Progress events of training loops; the CLI prints them as a bar or JSON lines. */
import { InterruptedError } from '../errors';

export interface TrainProgress {
  type: 'progress';
  stage: number;
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
  acc: number;
  etaSeconds: number;
}

export type ProgressSink = (p: TrainProgress) => void;

/** Thrown when the caller's AbortSignal fires; outputs have been cleaned up by then. */
export class TrainingCancelled extends InterruptedError {
  constructor(what: string) {
    super(`${what}: cancelled`);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new TrainingCancelled(what);
}

/**
 * Lets the event loop run (signal handlers, progress writes) between training
 * steps — a tight synchronous loop would ignore SIGINT/SIGTERM until the end —
 * then throws if the run was cancelled meanwhile.
 */
export async function yieldAndCheck(signal: AbortSignal | undefined, what: string): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  throwIfAborted(signal, what);
}

/** Running mean of loss/accuracy and ETA over an epoch loop. */
export class ProgressMeter {
  private lossSum = 0;
  private accSum = 0;
  private count = 0;
  private readonly t0 = Date.now();
  private done = 0;
  constructor(private readonly totalSteps: number) {}
  add(loss: number, acc: number): void {
    this.lossSum += loss;
    this.accSum += acc;
    this.count++;
    this.done++;
  }
  resetEpoch(): void {
    this.lossSum = this.accSum = this.count = 0;
  }
  get loss(): number { return this.count ? this.lossSum / this.count : 0; }
  get acc(): number { return this.count ? this.accSum / this.count : 0; }
  get etaSeconds(): number {
    const perStep = (Date.now() - this.t0) / 1000 / Math.max(1, this.done);
    return Math.round(perStep * Math.max(0, this.totalSteps - this.done));
  }
}
