import { parseArgs } from './args';
import { commands } from './commands/index';
import type { CliIO, Command } from './commands/types';
import './commands/all';
import { constants } from 'node:os';
import { InterruptedError, TritscopeError, UsageError } from '../core/errors';
import { terminalSafe } from '../core/text';
import { TOOL_VERSION } from '../core/version';

function helpText(): string {
  const width = Math.max(10, ...commands.map((c) => c.name.length));
  const rows = commands.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`).join('\n');
  return `tritscope ${TOOL_VERSION} — ternary neural network tools\n\nUsage: tritscope <command> [options]\n\nCommands:\n${rows}\n\nRun 'tritscope <command> --help' for a command's options.\n`;
}

function commandHelp(c: Command): string {
  const opts = c.options.map((o) => `  ${o.names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(', ').padEnd(24)} ${o.description}`).join('\n');
  return `Usage: tritscope ${c.usage}\n\n${c.summary}\n\nOptions:\n${opts}\n  --debug                  print stack traces\n`;
}

/** 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM (the shell's convention; the Python trainer exits the same way). */
export function interruptExitCode(signal: unknown): number {
  const n = typeof signal === 'string' ? constants.signals[signal as NodeJS.Signals] : undefined;
  return 128 + (n ?? constants.signals.SIGINT);
}

/** Runs one CLI invocation and returns its exit code; never throws. */
export async function runCli(argv: string[], rawIo: CliIO): Promise<number> {
  // Everything a command prints passes one filter: names read from model files may hold escape sequences.
  const io: CliIO = { ...rawIo, stdout: (s) => rawIo.stdout(terminalSafe(s)), stderr: (s) => rawIo.stderr(terminalSafe(s)) };
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return name ? 0 : 2;
  }
  if (name === '--version') { io.stdout(`${TOOL_VERSION}\n`); return 0; }
  const cmd = commands.find((c) => c.name === name);
  try {
    if (!cmd) throw new UsageError(`unknown command '${name}' (try: ${commands.map((c) => c.name).join(', ')})`);
    if (rest.includes('--help') || rest.includes('-h')) { io.stdout(commandHelp(cmd)); return 0; }
    return await cmd.run(parseArgs(rest, cmd.options, cmd.name), io);
  } catch (e) {
    const err = e as Error;
    // Whatever a command threw once its signal fired is the interruption's doing (a read cut short, a cancelled loop).
    if (rawIo.signal.aborted) {
      const by = typeof rawIo.signal.reason === 'string' ? rawIo.signal.reason : 'a signal';
      io.stderr(`tritscope: ${e instanceof InterruptedError ? err.message : `interrupted by ${by} (${err?.message ?? String(e)})`}; no output was written\n`);
      return interruptExitCode(rawIo.signal.reason);
    }
    if (e instanceof UsageError) { io.stderr(`tritscope: ${err.message}\n`); return 2; }
    if (e instanceof TritscopeError) { io.stderr(`tritscope: ${err.message}\n${debug ? `${err.stack}\n` : ''}`); return 1; }
    io.stderr(`tritscope: internal error: ${err?.message ?? String(e)}\n${debug ? `${err?.stack}\n` : '(run with --debug for the stack trace)\n'}`);
    return 1;
  }
}
