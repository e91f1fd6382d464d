/** Prints training progress as a bar on a TTY, JSON lines with `--progress json`, else a line per epoch. */
import type { TrainProgress } from '../../core/train/progress';
import type { CliIO } from './types';
import { progressLine } from '../../shared/progress';

/** In JSON mode a failure is also reported as an `error` event (src/shared/progress.ts) before the usual exit. */
export async function withJsonErrors<T>(mode: ProgressMode, io: CliIO, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (mode === 'json') io.stdout(progressLine({ type: 'error', message: (e as Error).message }));
    throw e;
  }
}

export type ProgressMode = 'json' | 'bar' | 'lines';

export function progressMode(value: string | undefined, io: CliIO): ProgressMode {
  if (value === 'json') return 'json';
  return io.isTTY ? 'bar' : 'lines';
}

/** 'lines' prints nothing here: the training loops already log one line per epoch. */
export function makeProgressPrinter(mode: ProgressMode, io: CliIO): (p: TrainProgress) => void {
  return (p) => {
    if (mode === 'json') { io.stdout(progressLine(p)); return; }
    if (mode === 'bar') {
      const width = 24;
      const filled = Math.round((p.step / p.steps) * width);
      io.stderr(`\rstage ${p.stage} epoch ${p.epoch}/${p.epochs} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] loss ${p.loss.toFixed(3)} acc ${(p.acc * 100).toFixed(1)}% eta ${p.etaSeconds}s ${p.step === p.steps ? '\n' : ''}`);
      return;
    }
  };
}
