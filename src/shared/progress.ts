/**
 * Progress events of long jobs, as JSON lines: `tritscope quantize|train
 * --progress json` writes them on stdout (src/cli), the "Quantize to ternary"
 * task reads them (src/extension/quantize), and the Python trainer
 * (python/tritscope_torch) writes the same lines so the task can run it too.
 *
 * Schema, version 1. One JSON object per line (UTF-8, ending in "\n"); every
 * event has `"version": 1` and a `type`:
 *
 *   {"version":1,"type":"progress","stage":1,"epoch":2,"epochs":3,"step":120,"steps":468,
 *    "loss":0.41,"acc":0.87,"etaSeconds":95,"message":"…"}
 *       every field but version/type optional. stage ≥ 1 (two-stage KD: 1 or 2), epoch in
 *       1..epochs, step in 0..steps (steps within the epoch, or within the whole job when
 *       there are no epochs), loss ≥ 0, acc in [0, 1], etaSeconds ≥ 0, message free text.
 *   {"version":1,"type":"log","message":"…"}           a line of text for the user
 *   {"version":1,"type":"log","message":"writing /abs/out.tnn.1f2e3d4c5b6a.tmp","temp":"/abs/out.tnn.1f2e3d4c5b6a.tmp"}
 *       `temp` (added in version 1 without a bump: older readers show the message and ignore it):
 *       a temp file the writer is about to create, printed before it exists. The writer removes it
 *       itself on every exit it survives (renamed over the output, or deleted); a reader that had to
 *       SIGKILL the writer removes the announced names that are still there, but only names of the form
 *       `<output>.<anything>.tmp` in the output's folder (src/extension/quantize/jobTemps.ts).
 *       docs/cancellation.md.
 *   {"version":1,"type":"done","output":"/abs/out.tnn","accuracy":0.88}
 *       the job's result file or folder; accuracy (top-1 in [0, 1]) optional; writers may add
 *       "backend" (string) and "epochSeconds" (array of numbers).
 *   {"version":1,"type":"error","message":"…"}         the job failed; the message names the cause
 *
 * Readers ignore fields they do not know. A line that is not such an object (or
 * has another version) is shown as log text. A change that breaks readers bumps
 * the version.
 */

export const PROGRESS_VERSION = 1;

export type ProgressEvent =
  | {
      version: typeof PROGRESS_VERSION;
      type: 'progress';
      stage?: number;
      epoch?: number;
      epochs?: number;
      step?: number;
      steps?: number;
      loss?: number;
      acc?: number;
      etaSeconds?: number;
      message?: string;
    }
  | { version: typeof PROGRESS_VERSION; type: 'log'; message: string; temp?: string }
  | { version: typeof PROGRESS_VERSION; type: 'done'; output: string; accuracy?: number; backend?: string; epochSeconds?: number[] }
  | { version: typeof PROGRESS_VERSION; type: 'error'; message: string };

type WithoutVersion<E> = E extends unknown ? Omit<E, 'version'> : never;
/** An event without its version, as writers build it. */
export type ProgressEventBody = WithoutVersion<ProgressEvent>;

export type ProgressUpdate = Extract<ProgressEvent, { type: 'progress' }>;

/** The line a writer prints for `event` (with the version and the newline). */
export function progressLine(event: ProgressEventBody): string {
  return `${JSON.stringify({ version: PROGRESS_VERSION, ...event })}\n`;
}

const TYPES = new Set(['progress', 'log', 'done', 'error']);

/** Parses one line of a job's stdout; anything but a version-1 event object is log text. */
export function parseProgressLine(line: string): ProgressEvent {
  const t = line.trim();
  if (t.startsWith('{')) {
    try {
      const o = JSON.parse(t) as { version?: unknown; type?: unknown; message?: unknown; output?: unknown };
      if (o && o.version === PROGRESS_VERSION && typeof o.type === 'string' && TYPES.has(o.type)) {
        const textOk = o.type === 'progress' || (o.type === 'done' ? typeof o.output === 'string' : typeof o.message === 'string');
        if (textOk) {
          if (o.type === 'log' && 'temp' in o && typeof (o as { temp?: unknown }).temp !== 'string') delete (o as { temp?: unknown }).temp;
          return o as ProgressEvent;
        }
      }
    } catch {
      /* fall through: not JSON after all */
    }
  }
  return { version: PROGRESS_VERSION, type: 'log', message: line };
}

/** Fraction done in [0,1] over all stages/epochs/steps, when the event says enough. */
export function progressFraction(e: ProgressUpdate, stages = 1): number | undefined {
  if (!e.epochs || !e.epoch) return e.steps && e.step !== undefined ? e.step / e.steps : undefined;
  const inEpoch = e.steps ? (e.step ?? 0) / e.steps : 0;
  const stageIdx = Math.max(0, (e.stage ?? 1) - 1);
  return Math.min(1, (stageIdx * e.epochs + (e.epoch - 1) + inEpoch) / (stages * e.epochs));
}
