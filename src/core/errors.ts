/**
 * Error types shared by core, CLI and extension. Every user-facing failure is a
 * TritscopeError subclass whose message already names the file, the field or
 * node, and what was expected, so callers print `err.message` and nothing else.
 */
export class TritscopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A file violates its format: the message is `<file>: <field> (byte <offset>): <detail>`. */
export abstract class FileFieldError extends TritscopeError {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly detail: string,
    readonly offset?: number,
  ) {
    super(`${file}: ${field}${offset !== undefined ? ` (byte ${offset})` : ''}: ${detail}`);
  }
}

/** A `.tnn` file violates the format (docs/tnn-format.md). */
export class TnnFormatError extends FileFieldError {}

/** A source model (ONNX, TF.js) cannot be imported. */
export class ImportError extends TritscopeError {}

/** Data set or input tensor missing, malformed or of the wrong shape. */
export class DataError extends TritscopeError {}

/** The graph cannot be executed (shape mismatch, unsupported layer for an engine). */
export class ExecutionError extends TritscopeError {}

/** Bad command-line usage (exit code 2 in the CLI). */
export class UsageError extends TritscopeError {}

/**
 * Work stopped through its AbortSignal (SIGINT/SIGTERM in the CLI, Cancel in the
 * extension) before its output was committed; nothing was written.
 */
export class InterruptedError extends TritscopeError {}

/** Throws InterruptedError(`what`) once `signal` is aborted: the check before each commit point. */
export function throwIfInterrupted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new InterruptedError(`${what}: interrupted${typeof signal.reason === 'string' ? ` by ${signal.reason}` : ''}`);
}
