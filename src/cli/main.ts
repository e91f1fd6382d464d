/**
 * `tritscope` — the command line over src/core. Exit codes: 0 success, 1 bad
 * input (one-line message on stderr, stack only with --debug), 2 usage error,
 * 128 + n when signal n interrupted the command (130 SIGINT, 143 SIGTERM, 129
 * SIGHUP, as the Python trainer does). docs/cancellation.md.
 *
 * The first signal aborts the command's AbortSignal: long loops yield and check
 * it, and every writer checks it once more right before its rename. A second
 * signal exits at once. Whatever the way out, the temp files still being written
 * are removed by the 'exit' handler (src/core/temp-files.ts).
 */
import { removeTrackedTemps } from '../core/temp-files';
import { interruptExitCode, runCli } from './run';

const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (controller.signal.aborted) process.exit(interruptExitCode(sig));
    controller.abort(sig);
  });
}
// Runs on process.exit(), on the natural end, and after an uncaught exception; must be synchronous.
process.on('exit', () => {
  removeTrackedTemps();
});

runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stdout.isTTY),
  signal: controller.signal,
}).then((code) => {
  // Exit explicitly once stdout and stderr are flushed. Left to end on its own, Node stops its signal
  // handlers (back to the default action) and then spends ~100 ms tearing down a large heap: a SIGTERM
  // in that window killed a run whose output was complete, and it exited 143 instead of 0
  // (scripts/cancel-trials.mjs, 6 of 10 signals sent at the 'done' line). After process.exit the handlers stay.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
