/** Messages between the extension host and the live training chart webview. */
import type { ProgressEvent } from './progress';

/** The chart's fields of a progress event. */
export type TrainingPoint = Pick<Extract<ProgressEvent, { type: 'progress' }>, 'stage' | 'epoch' | 'epochs' | 'step' | 'steps' | 'loss' | 'acc'>;

export type ToTrainingView =
  | { type: 'init'; title: string }
  | { type: 'point'; point: TrainingPoint }
  | { type: 'finished'; ok: boolean; cancelled: boolean };

export type FromTrainingView = { type: 'ready' };
