/**
 * The embedded Temporal service: `temporal server start-dev` with SQLite persistence, so that `npm start` needs nothing
 * else and the incidents of the last run are still there after a restart. Search attributes are registered by the start
 * flags. Loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
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
}

export interface RunningDevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  /** Stops the server gracefully (SIGTERM), then forcefully after a grace period. */
  stop(): Promise<void>;
}

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

export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  mkdirSync(dirname(options.dbFile), { recursive: true });
  const ip = options.ip ?? '127.0.0.1';
  const address = `${ip}:${options.port}`;
  const child = spawn(options.cliPath, devServerArgs(options), {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C reaches us, and we stop the server in order, after the worker has drained.
    detached: true,
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

  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));

  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exitPromise;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (spawnError) throw new Error(`could not run ${options.cliPath}: ${spawnError.message}`);
    if (exited) {
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
  return { address, uiUrl: `http://${ip === '0.0.0.0' ? 'localhost' : ip}:${options.uiPort}`, process: child, stop };
}
