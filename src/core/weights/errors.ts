/** Errors of the weights-only readers (GGUF, Hugging Face checkpoints). */
import { FileFieldError, InterruptedError } from '../errors';

/** A GGUF or checkpoint file violates its format (`<file>: <field> (byte <offset>): <detail>`, as TnnFormatError). */
export class WeightsFormatError extends FileFieldError {}

/** Statistics were cancelled through their AbortSignal. */
export class WeightsAbortError extends InterruptedError {
  constructor(file: string) {
    super(`${file}: statistics cancelled`);
  }
}
