/**
 * The statistics of one weights-only document as they stream in from its
 * inspect worker: started once, kept (rows, progress, result) so a view that
 * opens or reappears later starts from what is known, and relayed to every
 * open view of the document. The host only forwards what the worker built.
 */
import type { ErrorView } from '../../shared/rpc';
import { errorView, WorkerError } from '../../shared/rpc';
import {
  WeightsToWebview, type WeightsStatsState, type WeightsToWebviewMessage, type WeightsView,
} from '../../shared/weightsView';
import type { InspectClient } from './inspectClient';

type Listener = (m: WeightsToWebviewMessage) => void;

export class WeightsStatsStream {
  readonly state: WeightsStatsState = { rows: [], progress: null, done: null, error: null };
  private readonly listeners = new Set<Listener>();
  private started = false;
  private disposed = false;

  constructor(private readonly client: InspectClient, readonly view: WeightsView, private readonly file: string) {}

  /** Starts the pass once; later calls do nothing. */
  start(chunkBytes?: number): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.client.weightsStats((p) => {
      if (this.disposed) return;
      this.state.rows.push(...p.rows);
      this.state.progress = { bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, tensor: p.tensor };
      this.emit({ type: WeightsToWebview.Progress, progress: p });
    }, chunkBytes).then(
      (done) => {
        if (this.disposed) return;
        this.state.done = done;
        this.state.rows = done.rows;
        this.state.progress = { bytesDone: done.bytesRead, bytesTotal: done.bytesRead, tensor: '' };
        this.emit({ type: WeightsToWebview.Done, done });
      },
      (err: unknown) => {
        if (this.disposed) return;
        const error: ErrorView = err instanceof WorkerError ? err.view : errorView(err, this.file);
        this.state.error = error;
        this.emit({ type: WeightsToWebview.Failed, error });
      },
    );
  }

  get running(): boolean {
    return this.started && !this.state.done && !this.state.error && !this.disposed;
  }

  /** Every later message of this stream goes to `listener` until the returned function is called. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(m: WeightsToWebviewMessage): void {
    for (const l of this.listeners) l(m);
  }

  /** Stops relaying (the document reloads or closes); the worker's pass is cancelled or its worker ended by the caller. */
  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}
