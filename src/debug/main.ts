/**
 * Standalone Debug Adapter (dist/debugAdapter.js): the same session the
 * extension runs inline, speaking DAP over stdin/stdout for any client
 * (`node dist/debugAdapter.js`). With `--server=<port>` it serves each TCP
 * connection a fresh session (handy for attaching a debugger to the adapter).
 */
import * as net from 'node:net';
import { TritscopeDebugSession } from './session';

const portArg = process.argv.find((a) => a.startsWith('--server='));
if (portArg) {
  const port = Number(portArg.slice('--server='.length));
  net.createServer((socket) => {
    const session = new TritscopeDebugSession();
    session.setRunAsServer(true);
    session.start(socket, socket);
  }).listen(port, '127.0.0.1');
} else {
  const session = new TritscopeDebugSession();
  process.on('SIGTERM', () => session.shutdown());
  session.start(process.stdin, process.stdout);
}
