/** Errors of the weights-only readers (GGUF, Hugging Face checkpoints). */
import { InterruptedError, TritscopeError } from '../errors';

/**
 * A GGUF or checkpoint file violates its format. The message is
 * `<file>: <field> (byte <offset>): <detail>`, the same shape as TnnFormatError.
 */
export class WeightsFormatError extends TritscopeError {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly detail: string,
    readonly offset?: number,
  ) {
    super(`${file}: ${field}${offset !== undefined ? ` (byte ${offset})` : ''}: ${detail}`);
  }
}

/** Statistics were cancelled through their AbortSignal. */
export class WeightsAbortError extends InterruptedError {
  constructor(file: string) {
    super(`${file}: statistics cancelled`);
  }
}
