/** Messages between the extension host and the live training chart webview. */
export interface TrainingPoint {
  stage?: number;
  epoch?: number;
  epochs?: number;
  step?: number;
  steps?: number;
  loss?: number;
  acc?: number;
}

export type ToTrainingView =
  | { type: 'init'; title: string }
  | { type: 'point'; point: TrainingPoint }
  | { type: 'finished'; ok: boolean; cancelled: boolean };

export type FromTrainingView = { type: 'ready' };
