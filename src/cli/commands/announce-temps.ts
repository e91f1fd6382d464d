/**
 * `--progress json`: every temp file the command is about to create is named on
 * stdout first, as `{"version":1,"type":"log","message":"writing …","temp":"/abs/….tmp"}`
 * (src/shared/progress.ts). A parent that must SIGKILL the process (the
 * extension's cancel after its grace period) removes these names afterwards.
 * stdout is a pipe there, and pipe writes are synchronous on POSIX, so the line
 * is out before the file exists.
 */
import { onTempFile } from '../../core/temp-files';
import { progressLine } from '../../shared/progress';
import type { CliIO } from './types';

export function announceTemps(io: CliIO): () => void {
  return onTempFile((temp) => io.stdout(progressLine({ type: 'log', message: `writing ${temp}`, temp })));
}
