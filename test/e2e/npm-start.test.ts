/**
 * `npm start` as a user runs it: the embedded dev server with its Web UI, the worker and the API come up; an incident
 * started over HTTP survives Ctrl-C and is there, unchanged, after the next start.
 */
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { apiClient } from '../helpers/stack.js';
import { freePort } from '../helpers/free-port.js';
import { npmStartRunner, projectRoot } from '../helpers/npm-start.js';
import { waitFor } from '../helpers/wait-for.js';

const { directory, spawnStart, npmStart, npmStartOnFreePorts, cleanUp } = npmStartRunner('incident-start-');
const root = projectRoot;

afterAll(cleanUp);

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
    const start = spawnStart({
      TEMPORAL_CLI_PATH: inject('temporalCliPath'),
      TEMPORAL_DEV_SERVER_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(await freePort()),
      API_PORT: String(apiPort),
      TEMPORAL_DB_FILE: join(directory, 'busy.sqlite'),
      PLAYBOOKS_DIR: join(root, 'playbooks'),
      LOG_LEVEL: 'warn',
    });
    expect(await start.exit).toBe(1);
    expect(start.output()).toMatch(/npm start could not start: .*EADDRINUSE.*pick another with API_PORT/);
    expect(start.output()).not.toMatch(/^\s+at /m);
    // The dev server it had started is gone again.
    const { Connection } = await import('@temporalio/client');
    await expect(Connection.connect({ address: `127.0.0.1:${temporalPort}`, connectTimeout: 1_000 })).rejects.toThrow();
  } finally {
    blocker.close();
  }
}, 90_000);
