/**
 * Request/reply over a worker port, used by both workers (the editor's
 * inspect worker and the debugger's inference worker) and their clients.
 * A request is `{id, ...body}`; the reply carries the id back with a result or
 * an ErrorView, the one error format every side shows. A long request may send
 * progress before its reply (`{id, progress}`: streamed statistics). No imports:
 * the ports are typed structurally (node:worker_threads' Worker and parentPort fit).
 */

/** A failure as it crosses a worker or webview boundary. */
export interface ErrorView {
  message: string;
  file: string;
  field?: string;
  offset?: number;
  /**
   * The error class's name (TnnFormatError, ImportError, …): TritscopeError sets
   * `name` from the class, and esbuild's keepNames keeps class names in minified bundles.
   */
  kind: string;
}

/** The ErrorView of anything thrown; `file` is used when the error names none. */
export function errorView(err: unknown, file = ''): ErrorView {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; message?: unknown; file?: unknown; field?: unknown; offset?: unknown; code?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const name = typeof e.name === 'string' && e.name ? e.name : 'Error';
  // A plain Node system error says more through its code than through its class (always "Error").
  const kind = name === 'Error' && typeof e.code === 'string' ? `file error ${e.code}` : name;
  return {
    message,
    file: typeof e.file === 'string' ? e.file : file,
    ...(typeof e.field === 'string' ? { field: e.field } : {}),
    ...(typeof e.offset === 'number' ? { offset: e.offset } : {}),
    kind,
  };
}

/** An error reported by a worker, re-thrown on the client side with the worker's ErrorView. */
export class WorkerError extends Error {
  constructor(readonly view: ErrorView) {
    super(view.message);
    this.name = 'WorkerError';
  }
}

export type RpcEnvelope<Req> = Req & { id: number };
export type RpcReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: ErrorView };
/** Sent any number of times before a request's reply; the client hands `progress` to the request's onProgress. */
export type RpcProgress = { id: number; progress: unknown };

/** A request union (`{type: 'load', …} | …`) and the result type of each request type. */
export type ResultMap<Req extends { type: string }> = { [K in Req['type']]: unknown };

/** What a handler returns when part of its result should be moved, not copied (ArrayBuffers). */
export class Transfer<T> {
  constructor(readonly value: T, readonly buffers: ArrayBuffer[]) {}
}

export interface ServerPort {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
}

/** What a handler may do besides returning: report progress to the request's caller. */
export interface RequestContext {
  progress(value: unknown): void;
}

/** One handler per request type, each typed with its request and result (a missing one is a compile error). */
export type Handlers<Req extends { type: string }, Res extends ResultMap<Req>> = {
  [K in Req['type']]: (req: Extract<Req, { type: K }>, ctx: RequestContext) => Promise<Res[K] | Transfer<Res[K]>> | Res[K] | Transfer<Res[K]>;
};

/** The request handler `serveRequests` takes, from a table of handlers. */
export function dispatch<Req extends { type: string }, Res extends ResultMap<Req>>(handlers: Handlers<Req, Res>): (req: Req, ctx: RequestContext) => Promise<unknown> {
  return async (req, ctx) => (handlers[req.type as Req['type']] as (r: Req, c: RequestContext) => unknown)(req, ctx);
}

/**
 * Serves requests on `port` (a worker's parentPort): each reply echoes the
 * request's id; a thrown error becomes an ErrorView (with `fallbackFile()` as
 * its file when the error names none).
 */
export function serveRequests<Req extends { type: string }>(
  port: ServerPort,
  handle: (req: Req, ctx: RequestContext) => Promise<unknown>,
  fallbackFile: () => string = () => '',
): void {
  port.on('message', (message) => {
    const { id, ...body } = message as RpcEnvelope<Req>;
    const ctx: RequestContext = { progress: (progress) => port.postMessage({ id, progress } satisfies RpcProgress) };
    Promise.resolve().then(() => handle(body as unknown as Req, ctx)).then(
      (r) => {
        if (r instanceof Transfer) port.postMessage({ id, ok: true, result: r.value } satisfies RpcReply, r.buffers);
        else port.postMessage({ id, ok: true, result: r } satisfies RpcReply);
      },
      (err) => port.postMessage({ id, ok: false, error: errorView(err, fallbackFile()) } satisfies RpcReply),
    );
  });
}

export interface ClientPort {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/**
 * The client of one worker, started on the first request. When the worker
 * fails or exits, pending requests reject with a WorkerError; with
 * `restart: true` the next request starts a fresh worker, else every later
 * request rejects with that failure.
 */
export class RpcClient<Req extends { type: string }, Res extends ResultMap<Req>> {
  private port: ClientPort | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress?: (p: unknown) => void }>();
  private failure: WorkerError | null = null;

  constructor(
    private readonly start: () => ClientPort,
    private readonly opts: { name: string; restart: boolean },
  ) {}

  private portFor(): ClientPort {
    if (this.port) return this.port;
    const port = this.start();
    port.on('message', (m) => {
      const reply = m as RpcReply | RpcProgress;
      const p = this.pending.get(reply.id);
      if (!p) return;
      if ('progress' in reply) {
        p.onProgress?.(reply.progress);
        return;
      }
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new WorkerError(reply.error));
    });
    port.on('error', (e) => this.fail(port, `${this.opts.name} failed: ${e.message}`));
    port.on('exit', (code) => this.fail(port, `${this.opts.name} exited (code ${code})`));
    this.port = port;
    return port;
  }

  private fail(port: ClientPort, message: string): void {
    if (this.port !== port) return; // an old worker's late exit
    const err = new WorkerError({ message, file: '', kind: 'WorkerError' });
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.port = null;
    if (!this.opts.restart) this.failure ??= err;
  }

  /** `onProgress` receives what the handler reports through its RequestContext, in order, before the result. */
  request<K extends Req['type']>(req: Extract<Req, { type: K }>, opts: { onProgress?: (progress: unknown) => void } = {}): Promise<Res[K]> {
    if (this.failure) return Promise.reject(this.failure);
    let port: ClientPort;
    try {
      port = this.portFor();
    } catch (e) {
      return Promise.reject(e);
    }
    const id = this.nextId++;
    return new Promise<Res[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress });
      port.postMessage({ ...req, id });
    });
  }

  /** Stops the worker; later requests fail (restart: false) or start a new one. */
  async dispose(reason = `${this.opts.name} stopped`): Promise<void> {
    const port = this.port;
    if (!this.opts.restart) this.failure ??= new WorkerError({ message: reason, file: '', kind: 'WorkerError' });
    this.port = null;
    for (const p of this.pending.values()) p.reject(new WorkerError({ message: reason, file: '', kind: 'WorkerError' }));
    this.pending.clear();
    await port?.terminate();
  }
}
