/**
 * `kill -9` of `npm start` leaves nothing behind: the Temporal dev server it started ends by itself (its watchdog sees
 * the parent go), and the next `npm start` comes up on the same ports with every incident still there. A dev server left
 * over all the same (its watchdog was killed too) is recognised by the state file next to its database and restarted;
 * a process that is not provably ours is never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, expect, inject, it } from 'vitest';
import { npmStartRunner, projectRoot } from '../helpers/npm-start.js';
import {
  devServerArgs,
  devServerStatePath,
  isProcessAlive,
  processStartTime,
  stopLeftoverDevServer,
  type DevServerState,
} from '../../temporal/dev-server.js';
import { apiClient } from '../helpers/stack.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor } from '../helpers/wait-for.js';

const { directory, spawnStart, npmStart, npmStartOnFreePorts, track, cleanUp } = npmStartRunner('incident-start-kill-');
const root = projectRoot;

// SIGKILL is enough for npm start here too: its watchdog then stops its dev server, which is what this file checks.
afterAll(cleanUp);

function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function readState(dbFile: string): DevServerState {
  return JSON.parse(readFileSync(devServerStatePath(dbFile), 'utf8')) as DevServerState;
}

/** A process that is certainly not a Temporal server, for the "never kill what is not ours" checks. */
function spawnSleep(): ChildProcess {
  const sleep = spawn('sleep', ['30'], { stdio: 'ignore' });
  track(sleep);
  return sleep;
}

it('after kill -9 of npm start its dev server ends by itself, and the next npm start finds the incidents', async () => {
  const dbFile = join(directory, 'temporal.sqlite');
  const { start: first, env } = await npmStartOnFreePorts(([temporalPort, uiPort, apiPort]) => ({
    TEMPORAL_CLI_PATH: inject('temporalCliPath'),
    TEMPORAL_DEV_SERVER_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    API_PORT: String(apiPort),
    TEMPORAL_DB_FILE: dbFile,
    PLAYBOOKS_DIR: join(root, 'playbooks'),
    LOG_LEVEL: 'warn',
  }));
  const temporalPort = Number(env.TEMPORAL_DEV_SERVER_PORT);
  const apiUrl = `http://127.0.0.1:${env.API_PORT}`;
  const call = apiClient(apiUrl);
  await waitFor(() => fetch(`${apiUrl}/healthz`), (r) => r.ok, { what: 'the API health check' });
  const created = await call('POST', '/api/v1/incidents', { name: 'Payments time out', reporter: 'alice', playbook: 'service-outage' });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  // The workflow has run on the worker: what is found after the restart was really written through Temporal.
  await waitFor(() => call('GET', `/api/v1/incidents/${id}`), (r) => r.body.launch?.channelHeader?.status === 'done', { what: 'the launch' });

  const server = readState(dbFile);
  expect(server).toMatchObject({ port: temporalPort, dbFile, ownerPid: first.child.pid });
  expect(isProcessAlive(server.pid)).toBe(true);

  // `kill -9 <pid>`: this process only, not its group.
  process.kill(first.child.pid!, 'SIGKILL');
  await first.exit;
  await waitFor(() => isProcessAlive(server.pid), (alive) => !alive, { timeoutMs: 20_000, what: `the dev server (pid ${server.pid}) to end by itself` });
  await waitFor(() => isPortOpen(temporalPort), (open) => !open, { timeoutMs: 5_000, what: `port ${temporalPort} to be free` });

  // The other half: a server left over all the same (as if its watchdog had been killed too). Started here the way
  // npm start starts it, described by the state file the killed npm start left behind.
  const leftover = spawn(inject('temporalCliPath'), devServerArgs({ cliPath: inject('temporalCliPath'), dbFile, port: temporalPort, uiPort: Number(env.TEMPORAL_UI_PORT), namespace: 'default' }), {
    stdio: 'ignore',
    detached: true,
  });
  track(leftover);
  const leftoverExit = new Promise((resolve) => leftover.once('exit', resolve));
  writeFileSync(devServerStatePath(dbFile), JSON.stringify({ ...server, pid: leftover.pid, startTime: processStartTime(leftover.pid!), watchdogPid: undefined }));
  await waitFor(
    async () => {
      const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}`, connectTimeout: 1_000 });
      await connection.close();
      return true;
    },
    (ok) => ok,
    { timeoutMs: 30_000, what: 'the leftover server to listen' },
  );

  const second = await npmStart(env);
  expect(second.output()).toContain(`[start] a Temporal dev server left by an earlier npm start (pid ${leftover.pid}) was stopped; starting it again`);
  await leftoverExit;
  // The first read may come from the store's record (the incident, replayed by the new worker, takes longer than the
  // 100 ms a read waits for it), and a kill -9 can leave the record a write behind its incident: the incident's own
  // answer comes once it is replayed.
  const again = await waitFor(() => call('GET', `/api/v1/incidents/${id}`), (r) => r.status !== 200 || r.body.launch?.channel?.status === 'done', {
    what: 'the incident, as it was, after the restart',
  });
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ id, name: 'Payments time out', status: 'reported' });
  expect(again.body.launch.channel.status).toBe('done');

  // Ctrl-C still stops everything in order, and the state file goes with the server.
  const restarted = readState(dbFile);
  expect(restarted.pid).not.toBe(leftover.pid);
  second.child.kill('SIGINT');
  expect(await second.exit).toBe(0);
  expect(second.output()).toContain('[start] stopped.');
  expect(isProcessAlive(restarted.pid)).toBe(false);
  expect(existsSync(devServerStatePath(dbFile))).toBe(false);
}, 120_000);

it('never stops a process that is not provably our dev server', async () => {
  const dbFile = join(directory, 'not-ours.sqlite');
  const sleep = spawnSleep();
  await waitFor(() => processStartTime(sleep.pid!), (time) => time !== undefined, { what: 'sleep to start' });
  const port = await freePort();
  const base: DevServerState = {
    pid: sleep.pid!,
    startTime: processStartTime(sleep.pid!)!,
    ownerPid: 999_999_999,
    ownerStartTime: '1',
    port,
    uiPort: port + 1,
    dbFile,
    cliPath: inject('temporalCliPath'),
    startedAt: new Date().toISOString(),
  };
  const cases: Array<[Partial<DevServerState>, RegExp]> = [
    // The pid is alive and started when recorded, but its command line is `sleep 30`.
    [{}, /command line is not/],
    // The pid was reused by another process since the state file was written.
    [{ startTime: '12345' }, /another process/],
    // A state file copied from elsewhere.
    [{ dbFile: join(directory, 'elsewhere.sqlite') }, /describes/],
  ];
  for (const [change, reason] of cases) {
    writeFileSync(devServerStatePath(dbFile), JSON.stringify({ ...base, ...change }));
    const found = await stopLeftoverDevServer({ dbFile, stopGraceMs: 500 });
    expect(found).toMatchObject({ kind: 'not-ours', pid: sleep.pid, reason: expect.stringMatching(reason) });
    expect(isProcessAlive(sleep.pid!)).toBe(true);
  }
  // A state file naming a process that is gone describes nothing.
  writeFileSync(devServerStatePath(dbFile), JSON.stringify({ ...base, pid: 999_999_998 }));
  expect(await stopLeftoverDevServer({ dbFile })).toEqual({ kind: 'none' });

  // And npm start, finding its port busy with something else, refuses plainly and kills nothing.
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  try {
    writeFileSync(devServerStatePath(dbFile), JSON.stringify(base));
    const start = spawnStart({
      TEMPORAL_CLI_PATH: inject('temporalCliPath'),
      TEMPORAL_DEV_SERVER_PORT: String(port),
      TEMPORAL_UI_PORT: String(await freePort()),
      API_PORT: String(await freePort()),
      TEMPORAL_DB_FILE: dbFile,
      PLAYBOOKS_DIR: join(root, 'playbooks'),
      LOG_LEVEL: 'warn',
    });
    expect(await start.exit).toBe(1);
    // Today's plain refusal: a plain TCP listener is no Temporal server, so the refusal comes from the server's bind.
    expect(start.output()).toMatch(/npm start could not start: (a Temporal server is already listening|temporal server start-dev exited[^]*address already in use)/);
    expect(start.output()).not.toContain('was stopped');
    expect(isProcessAlive(sleep.pid!)).toBe(true);
  } finally {
    blocker.close();
    sleep.kill('SIGKILL');
  }
}, 30_000);
