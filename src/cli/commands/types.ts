import type { OptionSpec, ParsedArgs } from '../args';

/** Where a command writes. Tests pass buffers; main.ts passes process streams. */
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  /** Aborted on SIGINT/SIGTERM: long commands stop and clean up. */
  signal: AbortSignal;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: OptionSpec[];
  /** Resolves to the exit code (0 success). Throw TritscopeError for bad input (exit 1), UsageError for usage (exit 2). */
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}
