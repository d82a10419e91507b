/**
 * The embedded Temporal service: `temporal server start-dev` with SQLite persistence, so that `npm start` needs nothing
 * else and the incidents of the last run are still there after a restart. Search attributes are registered by the start
 * flags. Loopback only.
 *
 * The server must never outlive the `npm start` that started it, because a leftover server holds the port and the SQLite
 * file and the next `npm start` cannot start its own. Two halves make sure of that:
 * - it runs under a small watchdog (dev-server-watchdog.mjs) that stops it as soon as its parent is gone, even after a
 *   `kill -9` of the parent;
 * - a state file next to the database (`<dbFile>.server.json`) names the server, so that the next `npm start` can
 *   recognise a server left by an earlier one (the watchdog itself was killed too, say) and stop it before starting
 *   afresh (`stopLeftoverDevServer`). Only a process provably started by us for this database file is ever stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { CLI_TYPE_NAME, INCIDENT_SEARCH_ATTRIBUTES } from './search-attributes.js';

export interface DevServerOptions {
  cliPath: string;
  dbFile: string;
  port: number;
  uiPort: number;
  namespace: string;
  ip?: string;
  /** Called with lines the server prints (warnings and errors only). */
  onOutput?: (line: string) => void;
  readyTimeoutMs?: number;
  /** How long a graceful stop (SIGTERM) may take before the server is killed. */
  stopGraceMs?: number;
}

export interface RunningDevServer {
  address: string;
  uiUrl: string;
  /** The watchdog process the server runs under (its own process group); SIGTERM to it stops the server gracefully. */
  process: ChildProcess;
  /** The `temporal` server process itself. */
  pid: number | undefined;
  /** Where the server is described for the next `npm start` (see stopLeftoverDevServer). */
  statePath: string;
  /** Stops the server gracefully (SIGTERM), then forcefully after a grace period. */
  stop(): Promise<void>;
}

/** What `<dbFile>.server.json` records about a running dev server. */
export interface DevServerState {
  /** The `temporal` process. */
  pid: number;
  /** Its start time in clock ticks since boot (/proc/<pid>/stat), so a reused pid is not mistaken for it. */
  startTime?: string;
  watchdogPid?: number;
  /** The process that started it (npm start), and its start time: while that one runs, the server is in use. */
  ownerPid: number;
  ownerStartTime?: string;
  port: number;
  uiPort: number;
  dbFile: string;
  cliPath: string;
  startedAt: string;
}

const DEFAULT_STOP_GRACE_MS = 10_000;
const WATCHDOG = fileURLToPath(new URL('./dev-server-watchdog.mjs', import.meta.url));

export function devServerArgs(options: DevServerOptions): string[] {
  const ip = options.ip ?? '127.0.0.1';
  return [
    'server', 'start-dev',
    '--ip', ip,
    '--port', String(options.port),
    '--ui-port', String(options.uiPort),
    '--db-filename', options.dbFile,
    '--namespace', options.namespace,
    '--log-level', 'warn',
    ...INCIDENT_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE_NAME[key.type]}`]),
  ];
}

export function devServerStatePath(dbFile: string): string {
  return `${dbFile}.server.json`;
}

/** Start time of a process in clock ticks since boot, from /proc; undefined where there is no /proc or no such process. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22, starttime
  } catch {
    return undefined;
  }
}

/** True while the process exists and is not a zombie (an orphan's zombie lingers where PID 1 does not reap). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    // No /proc (macOS): kill(pid, 0) has to do.
    return true;
  }
}

/** The same process as the one recorded: alive, and (where /proc tells) started at the recorded time. */
function isSameProcess(pid: number, startTime: string | undefined): boolean {
  if (!isProcessAlive(pid)) return false;
  return startTime === undefined || processStartTime(pid) === startTime;
}

function readState(path: string): DevServerState | undefined {
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as Partial<DevServerState>;
    const isPid = (value: unknown): value is number => Number.isInteger(value) && (value as number) > 1;
    if (!isPid(state.pid) || !isPid(state.ownerPid) || typeof state.port !== 'number' || typeof state.dbFile !== 'string' || typeof state.cliPath !== 'string') {
      return undefined;
    }
    return state as DevServerState;
  } catch {
    return undefined;
  }
}

function writeState(path: string, state: DevServerState): void {
  // Written whole and renamed into place: a reader never sees half a file, even if we are killed while writing.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, path);
}

export type LeftoverDevServer =
  /** No state file, or it names a process that is gone: nothing of ours is running. */
  | { kind: 'none' }
  /** A dev server started by an earlier npm start for this database file, whose npm start is gone. */
  | { kind: 'ours'; pid: number; state: DevServerState }
  /** Our dev server, but the npm start that started it still runs: it is in use, not left over. */
  | { kind: 'in-use'; pid: number; ownerPid: number }
  /** The state file names a live process we cannot prove is that server (pid reused, no /proc, other command line). */
  | { kind: 'not-ours'; pid: number; reason: string };

/**
 * Is there a dev server left by an earlier `npm start` for this database file? Proof that a process is ours: the state
 * file next to the database names it, its start time is the recorded one (the pid was not reused), and its command line
 * is `<recorded cli> server start-dev` with the recorded --port and this --db-filename. Anything less is 'not-ours'.
 */
export function findLeftoverDevServer(where: { dbFile: string }): LeftoverDevServer {
  const state = readState(devServerStatePath(where.dbFile));
  if (!state || !isProcessAlive(state.pid)) return { kind: 'none' };
  const pid = state.pid;
  if (state.dbFile !== where.dbFile) return { kind: 'not-ours', pid, reason: `its state file describes ${state.dbFile}` };
  const startTime = processStartTime(pid);
  if (startTime === undefined || state.startTime === undefined) {
    return { kind: 'not-ours', pid, reason: 'its start time cannot be checked (no /proc)' };
  }
  if (startTime !== state.startTime) return { kind: 'not-ours', pid, reason: 'the pid now belongs to another process' };
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return { kind: 'not-ours', pid, reason: 'its command line cannot be read' };
  }
  if (argv.at(-1) === '') argv.pop();
  const flag = (name: string): string | undefined => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  if (argv[0] !== state.cliPath || argv[1] !== 'server' || argv[2] !== 'start-dev' || flag('--port') !== String(state.port) || flag('--db-filename') !== where.dbFile) {
    return { kind: 'not-ours', pid, reason: `its command line is not ${state.cliPath} server start-dev --port ${state.port} --db-filename ${where.dbFile}` };
  }
  if (state.ownerPid !== process.pid && state.ownerStartTime !== undefined && isSameProcess(state.ownerPid, state.ownerStartTime)) {
    return { kind: 'in-use', pid, ownerPid: state.ownerPid };
  }
  return { kind: 'ours', pid, state };
}

/** SIGTERM, wait, SIGKILL after the grace period, wait; signals only while the pid is still the recorded process. */
async function terminate(pid: number, startTime: string | undefined, graceMs: number): Promise<void> {
  const gone = async (timeoutMs: number): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!isSameProcess(pid, startTime)) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return !isSameProcess(pid, startTime);
  };
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(pid, name);
    } catch {
      // Gone in the meantime.
    }
  };
  if (!isSameProcess(pid, startTime)) return;
  signal('SIGTERM');
  if (await gone(graceMs)) return;
  if (isSameProcess(pid, startTime)) signal('SIGKILL');
  if (!(await gone(5_000))) throw new Error(`the Temporal dev server (pid ${pid}) did not stop even after SIGKILL`);
}

/**
 * Stops a dev server left by an earlier `npm start` for this database file (see findLeftoverDevServer), so that a new
 * one can start on its port and SQLite file. Returns what was found; when that is 'ours', it has been stopped. Nothing
 * else is ever signalled.
 */
export async function stopLeftoverDevServer(where: { dbFile: string; stopGraceMs?: number }): Promise<LeftoverDevServer> {
  const found = findLeftoverDevServer(where);
  if (found.kind !== 'ours') return found;
  await terminate(found.pid, found.state.startTime, where.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
  rmSync(devServerStatePath(where.dbFile), { force: true });
  return found;
}

export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  mkdirSync(dirname(options.dbFile), { recursive: true });
  const ip = options.ip ?? '127.0.0.1';
  const address = `${ip}:${options.port}`;
  const graceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
  const statePath = devServerStatePath(options.dbFile);
  // Through the watchdog, with an IPC channel to it: the kernel closes that channel when we die, however we die, and the
  // watchdog then stops the server. Plain node: the watchdog is JavaScript, and our own execArgv (tsx) is not needed.
  const child = spawn(process.execPath, [WATCHDOG, options.cliPath, ...devServerArgs(options)], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // Its own process group: Ctrl-C reaches us, and we stop the server in order, after the worker has drained.
    detached: true,
    env: { ...process.env, INCIDENT_DEV_SERVER_GRACE_MS: String(graceMs) },
  });
  const tail: string[] = [];
  const onData = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 20) tail.shift();
      options.onOutput?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  let serverPid: number | undefined;
  let serverStartTime: string | undefined;
  child.on('message', (message: { pid?: number; error?: string }) => {
    if (message.error) spawnError = new Error(message.error);
    if (!message.pid) return;
    serverPid = message.pid;
    serverStartTime = processStartTime(serverPid);
    try {
      writeState(statePath, {
        pid: serverPid,
        ...(serverStartTime ? { startTime: serverStartTime } : {}),
        ...(child.pid ? { watchdogPid: child.pid } : {}),
        ownerPid: process.pid,
        ...(processStartTime(process.pid) ? { ownerStartTime: processStartTime(process.pid) } : {}),
        port: options.port,
        uiPort: options.uiPort,
        dbFile: options.dbFile,
        cliPath: options.cliPath,
        startedAt: new Date().toISOString(),
      });
    } catch (error) {
      // Only the next start's clean-up depends on it; the server itself runs fine without.
      options.onOutput?.(`could not write ${statePath}: ${(error as Error).message}`);
    }
  });

  // 'close' rather than 'exit': it comes after the IPC channel has closed, so a spawn error message has arrived by then.
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('close', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });

  const signalGroup = (signal: NodeJS.Signals): void => {
    // The watchdog leads the group and the server is in it: this reaches the server even if the watchdog is gone.
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // The group is empty: everything is gone already.
    }
  };

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (!exited) {
        // The watchdog forwards SIGTERM to the server and exits when it has; SIGKILL to the group if it hangs anyway.
        child.kill('SIGTERM');
        const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs + 5_000);
        await exitPromise;
        clearTimeout(timer);
      }
      // Had the watchdog been killed before it could stop the server, the server is still ours to stop, by pid.
      if (serverPid) await terminate(serverPid, serverStartTime, graceMs);
      // Only our own description: a later npm start may have written its own by now.
      if (serverPid && readState(statePath)?.pid === serverPid) rmSync(statePath, { force: true });
    })());

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (spawnError) {
      await stop();
      throw new Error(`could not run ${options.cliPath}: ${spawnError.message}`);
    }
    if (exited) {
      await stop();
      throw new Error(
        `temporal server start-dev exited (code ${exited.code}, signal ${exited.signal}) before it was ready.\n` +
          `Is port ${options.port} or ${options.uiPort} already in use? Its last output:\n${tail.join('\n')}`,
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        await connection.workflowService.describeNamespace({ namespace: options.namespace });
      } finally {
        await connection.close();
      }
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`temporal dev server did not become ready at ${address}: ${(error as Error).message}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return {
    address,
    uiUrl: `http://${ip === '0.0.0.0' ? 'localhost' : ip}:${options.uiPort}`,
    process: child,
    get pid() {
      return serverPid;
    },
    statePath,
    stop,
  };
}
