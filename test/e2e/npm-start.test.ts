/**
 * `npm start` as a user runs it: the embedded dev server with its Web UI, the worker and the API come up; an incident
 * started over HTTP survives Ctrl-C and is there, unchanged, after the next start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, expect, inject, it } from 'vitest';
import { apiClient } from '../helpers/stack.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor } from '../helpers/wait-for.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
// The start script runs in a scratch directory, so tsx's loader is named by its full path.
const tsxLoader = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const directory = mkdtempSync(join(tmpdir(), 'incident-start-'));
const started: ChildProcess[] = [];

afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(directory, { recursive: true, force: true });
});

interface RunningStart {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

async function npmStart(env: Record<string, string>): Promise<RunningStart> {
  const child = spawn(process.execPath, ['--import', tsxLoader, join(root, 'scripts/start.ts')], {
    cwd: directory,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitFor(
    () => output,
    (text) => text.includes('Ctrl-C stops everything') || child.exitCode !== null,
    { timeoutMs: 90_000, what: 'npm start to be ready' },
  );
  if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
  return { child, output: () => output, exit };
}

/** Ports that were free a moment ago can be taken by another test file meanwhile: try again with new ones. */
async function npmStartOnFreePorts(makeEnv: (ports: number[]) => Record<string, string>): Promise<{ start: RunningStart; env: Record<string, string> }> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const env = makeEnv([await freePort(), await freePort(), await freePort()]);
    try {
      return { start: await npmStart(env), env };
    } catch (error) {
      lastError = error;
      if (!/already in use|address already in use|EADDRINUSE|bind/i.test(String(error))) throw error;
    }
  }
  throw lastError;
}

it('runs server, UI, worker and API, stops cleanly on Ctrl-C and keeps incidents across restarts', async () => {
  const { start: first, env } = await npmStartOnFreePorts(([temporalPort, uiPort, apiPort]) => ({
    TEMPORAL_CLI_PATH: inject('temporalCliPath'),
    TEMPORAL_DEV_SERVER_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    API_PORT: String(apiPort),
    TEMPORAL_DB_FILE: join(directory, 'temporal.sqlite'),
    PLAYBOOKS_DIR: join(root, 'playbooks'),
    LOG_LEVEL: 'warn',
  }));
  const apiPort = Number(env.API_PORT);
  const uiPort = Number(env.TEMPORAL_UI_PORT);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  expect(first.output()).toContain(`API:          ${apiUrl}`);
  expect(first.output()).toContain(`Temporal UI:  http://127.0.0.1:${uiPort}/namespaces/default/workflows`);
  const ui = await waitFor(() => fetch(`http://127.0.0.1:${uiPort}/`), (r) => r.ok, { what: 'the Web UI' });
  expect(ui.headers.get('content-type')).toMatch(/text\/html/);

  const call = apiClient(apiUrl);
  const created = await call('POST', '/api/v1/incidents', { name: 'Search is slow', reporter: 'alice', playbook: 'service-outage' });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  await call('POST', `/api/v1/incidents/${id}/acknowledge`, { actor: 'bob' });
  await waitFor(() => call('GET', `/api/v1/incidents/${id}`), (r) => r.body.launch?.channelHeader?.status === 'done');

  first.child.kill('SIGINT');
  expect(await first.exit).toBe(0);
  expect(first.output()).toContain('stopping the Temporal dev server...');
  expect(first.output()).toContain('[start] stopped.');
  await expect(fetch(`${apiUrl}/healthz`)).rejects.toThrow();

  const second = await npmStart(env);
  const again = await call('GET', `/api/v1/incidents/${id}`);
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ id, name: 'Search is slow', status: 'active' });
  expect(again.body.launch.channel.status).toBe('done');
  second.child.kill('SIGINT');
  expect(await second.exit).toBe(0);
}, 180_000);

it('refuses to start on a busy API port with a plain message, and leaves no server behind', async () => {
  const { createServer } = await import('node:net');
  const blocker = createServer();
  const apiPort = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
  const temporalPort = await freePort();
  try {
    const child = spawn(process.execPath, ['--import', tsxLoader, join(root, 'scripts/start.ts')], {
      cwd: directory,
      env: {
        ...process.env,
        TEMPORAL_CLI_PATH: inject('temporalCliPath'),
        TEMPORAL_DEV_SERVER_PORT: String(temporalPort),
        TEMPORAL_UI_PORT: String(await freePort()),
        API_PORT: String(apiPort),
        TEMPORAL_DB_FILE: join(directory, 'busy.sqlite'),
        PLAYBOOKS_DIR: join(root, 'playbooks'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(output).toMatch(/npm start could not start: .*EADDRINUSE.*pick another with API_PORT/);
    expect(output).not.toMatch(/^\s+at /m);
    // The dev server it had started is gone again.
    const { Connection } = await import('@temporalio/client');
    await expect(Connection.connect({ address: `127.0.0.1:${temporalPort}`, connectTimeout: 1_000 })).rejects.toThrow();
  } finally {
    blocker.close();
  }
}, 90_000);
