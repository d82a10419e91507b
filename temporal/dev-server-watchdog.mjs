/**
 * Runs `temporal server start-dev` on behalf of `npm start` and ends it when `npm start` ends, however that happens.
 *
 * Why a separate process: the server runs in its own process group (so a terminal's Ctrl-C reaches only `npm start`,
 * which then stops the API and worker before the server), and Node has no prctl(PR_SET_PDEATHSIG) to tie a child's life
 * to its parent. This watchdog is the server's parent and holds an IPC channel to `npm start`; the kernel closes that
 * channel when `npm start` dies, even by SIGKILL, and the watchdog then stops the server (SIGTERM, SIGKILL after a
 * grace period) and exits. Plain JavaScript, so it starts without tsx.
 *
 * Usage (spawned by temporal/dev-server.ts with an 'ipc' stdio slot): node dev-server-watchdog.mjs <cli> <args...>
 * Messages to the parent: { pid } once the server is spawned, { error } when it could not be.
 * SIGTERM/SIGINT to the watchdog stop the server gracefully; the watchdog exits as the server did.
 */
import { spawn } from 'node:child_process';

const [cli, ...args] = process.argv.slice(2);
const graceMs = Number(process.env.INCIDENT_DEV_SERVER_GRACE_MS) || 10_000;
if (!cli || typeof process.send !== 'function') {
  console.error('dev-server-watchdog: expected to be spawned with an IPC channel and a command');
  process.exit(2);
}

// After `npm start` dies, nobody reads our stdout/stderr any more: writing there must not kill us (EPIPE) before we
// have stopped the server. Node already ignores SIGPIPE; these handlers swallow the resulting write errors.
let parentGone = false;
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

// The server's output goes through us rather than straight to npm start's pipes: a Go program that writes to a broken
// stdout/stderr dies of SIGPIPE, and we want it to shut down gracefully (it holds the SQLite file) when npm start is gone.
const server = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
server.stdout.on('data', (chunk) => parentGone || process.stdout.write(chunk));
server.stderr.on('data', (chunk) => parentGone || process.stderr.write(chunk));

const tell = (message) => {
  if (!process.connected) return;
  try {
    process.send(message, () => undefined);
  } catch {
    // The parent is gone; 'disconnect' handles that.
  }
};

server.once('error', (error) => {
  tell({ error: error.message });
  process.exit(127);
});
if (server.pid) tell({ pid: server.pid });

let stopping = false;
function stopServer() {
  if (stopping) return;
  stopping = true;
  server.kill('SIGTERM');
  // Not unref'd: the watchdog must stay until the server is gone, and this timer is how a hung shutdown ends.
  setTimeout(() => server.kill('SIGKILL'), graceMs);
}

// The parent is gone (or let go of us on purpose): the server must not outlive it.
process.on('disconnect', () => {
  parentGone = true;
  stopServer();
});
process.on('SIGTERM', stopServer);
process.on('SIGINT', stopServer);
process.on('SIGHUP', stopServer);

server.once('exit', (code, signal) => {
  if (signal) {
    // Report the server's end as our own, so the parent sees the same code/signal it would have seen without us.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    // A signal we cannot re-raise on ourselves (e.g. one with a handler we did not install) ends in a plain failure.
    setTimeout(() => process.exit(1), 1_000);
    return;
  }
  process.exit(code ?? 1);
});
