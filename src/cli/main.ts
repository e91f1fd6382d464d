/**
 * `tritscope` — the command line over src/core. Exit codes: 0 success, 1 bad
 * input (one-line message on stderr, stack only with --debug), 2 usage error.
 */
import { runCli } from './run';

const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  });
}

runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stdout.isTTY),
  signal: controller.signal,
}).then((code) => {
  process.exitCode = code;
});
