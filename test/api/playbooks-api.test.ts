/**
 * /api/v1/playbooks over HTTP against the SQLite store: create (problems as strings and at their fields), read (JSON and
 * YAML, any version), replace with versions and If-Match, archive and restore, duplicate, search; and an edit while an
 * incident runs leaves the incident's snapshot as it was.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { startApi, type RunningApi } from '../../api/server.js';
import type { Playbook } from '../../domain/playbook/schema.js';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { openDatabase, type OpenedDatabase } from '../../store/database.js';
import { nextIncidentNumber } from '../../store/incident-sequence.js';
import { lookupFromStore } from '../../store/playbook-lookup.js';
import { PlaybookRepository } from '../../store/playbook-repository.js';
import { incidentViewQuery, incidentWorkflowId } from '../../workflows/messages.js';
import { apiClient } from '../helpers/stack.js';
import { connectToTestServer, uniqueTaskQueue, runTestWorker } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof runTestWorker>>;
let api: RunningApi;
let database: OpenedDatabase;
let call: ReturnType<typeof apiClient>;
const workspace = new InMemoryWorkspace();
const directory = mkdtempSync(join(tmpdir(), 'playbook-api-'));

const outage = {
  id: 'db-outage',
  title: 'Database outage',
  checklists: [{ id: 'triage', title: 'Triage', tasks: [{ id: 'check-replication', title: 'Check replication' }] }],
};

beforeAll(async () => {
  env = await connectToTestServer();
  database = await openDatabase({ url: `sqlite:${join(directory, 'store.sqlite')}` });
  const repository = new PlaybookRepository<Playbook>(database.db);
  const taskQueue = uniqueTaskQueue('playbooks-api');
  worker = await runTestWorker(env, taskQueue, { integrations: workspace });
  api = await startApi({
    client: env.client,
    taskQueue,
    playbooks: lookupFromStore(repository),
    playbookStore: repository,
    numberIncident: (team) => nextIncidentNumber(database.db, team),
    logger: pino({ level: 'silent' }),
    host: '127.0.0.1',
    port: 0,
  });
  call = apiClient(api.url);
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
  await database?.close();
  await env?.teardown();
  rmSync(directory, { recursive: true, force: true });
});

describe('playbooks API', () => {
  it('creates a playbook, refuses a second with the same id, and reports every problem of a bad one', async () => {
    const created = await call('POST', '/api/v1/playbooks', outage, { 'X-Actor': 'alice' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'db-outage', version: 1, createdBy: 'alice', playbook: { title: 'Database outage' } });
    expect((await call('POST', '/api/v1/playbooks', outage)).status).toBe(409);
    const bad = await call('POST', '/api/v1/playbooks', { id: 'Bad Id', title: '', checklist: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.problems.length).toBeGreaterThanOrEqual(3);
    expect(bad.body.error.problems.join('\n')).toMatch(/^id: /m);
    expect(bad.body.error.problems.join('\n')).toMatch(/checklist/);
  });

  it('refuses the ID "new", which the web app\'s /app/playbooks/new needs, in a create and a duplicate', async () => {
    const created = await call('POST', '/api/v1/playbooks', { ...outage, id: 'new' });
    expect(created.status).toBe(400);
    expect(created.body.error.fields).toEqual([{ path: 'id', message: expect.stringContaining('"new" is reserved') }]);
    const duplicated = await call('POST', '/api/v1/playbooks/db-outage/duplicate', { id: 'new' });
    expect(duplicated.status).toBe(400);
    expect(duplicated.body.error.problems.join(' ')).toContain('reserved');
  });

  it('gives every problem of a refused playbook at its field too, as { path, message } beside the problem strings', async () => {
    const yaml = [
      'id: fields-check',
      'title: Fields check',
      'severities: [sev1, sev2]',
      'defaultSeverity: sev9',
      'checklists:',
      '  - title: Triage',
      '    tasks:',
      '      - title: Page the owner',
      '      - title: ""',
    ].join('\n');
    const refused = await fetch(`${api.url}/api/v1/playbooks`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: yaml });
    expect(refused.status).toBe(400);
    const { error } = (await refused.json()) as { error: { problems: string[]; fields: Array<{ path: string; message: string }> } };
    expect(error.fields).toEqual(
      expect.arrayContaining([
        { path: 'checklists[0].tasks[1].title', message: expect.stringMatching(/title/) },
        { path: 'defaultSeverity', message: '"sev9" is not one of the severities (sev1, sev2)' },
      ]),
    );
    expect(error.fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message))).toEqual(error.problems);
    const syntax = await fetch(`${api.url}/api/v1/playbooks`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: 'id: [x' });
    expect(((await syntax.json()) as { error: { fields: unknown[] } }).error.fields).toEqual([{ path: '', message: expect.stringMatching(/^YAML syntax error at line \d+/) }]);
    expect((await call('GET', '/api/v1/playbooks/nope')).body.error).not.toHaveProperty('fields');
  });

  it('exports as YAML and imports it back to an equal playbook', async () => {
    const yaml = await fetch(`${api.url}/api/v1/playbooks/db-outage?format=yaml`);
    expect(yaml.headers.get('content-type')).toMatch(/application\/yaml/);
    const text = await yaml.text();
    expect(text).toContain('title: Database outage');
    const copy = text.replace('id: db-outage', 'id: db-outage-copy');
    const imported = await fetch(`${api.url}/api/v1/playbooks`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: copy });
    expect(imported.status).toBe(201);
    const original = (await call('GET', '/api/v1/playbooks/db-outage')).body.playbook;
    const again = (await call('GET', '/api/v1/playbooks/db-outage-copy')).body.playbook;
    expect({ ...again, id: 'db-outage' }).toEqual(original);
  });

  it('replaces with a new version, keeps the old one, and guards with If-Match', async () => {
    const edited = { ...outage, title: 'Database outage (v2)' };
    const replaced = await call('PUT', '/api/v1/playbooks/db-outage', edited, { 'If-Match': '1' });
    expect(replaced.body).toMatchObject({ version: 2, changed: true, playbook: { title: 'Database outage (v2)' } });
    const stale = await call('PUT', '/api/v1/playbooks/db-outage', { ...outage, title: 'lost update' }, { 'If-Match': '1' });
    expect(stale).toMatchObject({ status: 409, body: { error: { message: 'playbook db-outage is at version 2, not 1' } } });
    expect((await call('PUT', '/api/v1/playbooks/db-outage', edited)).body).toMatchObject({ version: 2, changed: false });
    expect((await call('GET', '/api/v1/playbooks/db-outage?version=1')).body.playbook.title).toBe('Database outage');
    expect((await call('GET', '/api/v1/playbooks/db-outage/versions')).body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });

  it('reads one version by its own path, as JSON with its metadata or as YAML, and refuses a version that is no number', async () => {
    expect((await call('GET', '/api/v1/playbooks/db-outage/versions/1')).body).toMatchObject({ id: 'db-outage', version: 1, currentVersion: 2, playbook: { title: 'Database outage' } });
    const yaml = await fetch(`${api.url}/api/v1/playbooks/db-outage/versions/2`, { headers: { accept: 'application/yaml' } });
    expect(yaml.headers.get('content-type')).toMatch(/application\/yaml/);
    expect(await yaml.text()).toContain('title: Database outage (v2)');
    expect(await call('GET', '/api/v1/playbooks/db-outage/versions/7')).toMatchObject({ status: 404, body: { error: { message: 'no playbook "db-outage" at version 7' } } });
    expect(await call('GET', '/api/v1/playbooks/db-outage/versions/first')).toMatchObject({ status: 400, body: { error: { problems: ['version: a whole number from 1 up'] } } });
    expect((await call('GET', '/api/v1/playbooks/nope/versions/1')).status).toBe(404);
  });

  it('keeps a running incident on the snapshot it started with when the playbook changes', async () => {
    const started = await call('POST', '/api/v1/incidents', { name: 'Primary down', reporter: 'alice', playbook: 'db-outage' });
    expect(started.body.playbook).toEqual({ id: 'db-outage', version: 2 });
    const handle = env.client.workflow.getHandle(incidentWorkflowId(started.body.id));
    await waitFor(() => handle.query(incidentViewQuery), (v) => v.launch.channelHeader.status !== 'pending');
    const v3 = { ...outage, title: 'Database outage (v3)', checklists: [{ id: 'other', title: 'Other', tasks: [{ title: 'Something else' }] }] };
    expect((await call('PUT', '/api/v1/playbooks/db-outage', v3)).body.version).toBe(3);
    const view = await handle.query(incidentViewQuery);
    expect(view.playbook).toMatchObject({ id: 'db-outage', version: 2, title: 'Database outage (v2)' });
    expect(view.checklists.map((c) => c.id)).toEqual(['triage']);
  });

  it("names the incident channel from the playbook's template with the team's incident number", async () => {
    const numbered = { id: 'numbered', title: 'Numbered', channel: { nameTemplate: 'inc-{{seq}}-{{slug}}' } };
    expect((await call('POST', '/api/v1/playbooks', numbered)).status).toBe(201);
    for (const name of ['Cache stampede', 'Queue backlog']) {
      const started = await call('POST', '/api/v1/incidents', { name, reporter: 'alice', team: 'numbers', playbook: 'numbered' });
      expect(started.status).toBe(201);
      await waitFor(() => env.client.workflow.getHandle(incidentWorkflowId(started.body.id)).query(incidentViewQuery), (v) => v.launch.channel.status === 'done');
    }
    expect(workspace.records.channels.filter((c) => c.team === 'numbers').map((c) => c.name)).toEqual(['inc-1-cache-stampede', 'inc-2-queue-backlog']);
  });

  it('archives (no new incidents from it), restores, duplicates and searches', async () => {
    expect((await call('POST', '/api/v1/playbooks/db-outage/archive', {})).body.archived).toBe(true);
    const refused = await call('POST', '/api/v1/incidents', { name: 'x', reporter: 'alice', playbook: 'db-outage' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/^unknown playbook "db-outage"/);
    expect((await call('GET', '/api/v1/playbooks?search=outage')).body.items.map((p: { id: string }) => p.id)).toEqual(['db-outage-copy']);
    expect((await call('GET', '/api/v1/playbooks?search=outage&includeArchived=true')).body.items).toHaveLength(2);
    expect((await call('POST', '/api/v1/playbooks/db-outage/restore', {})).body.archived).toBe(false);
    const duplicated = await call('POST', '/api/v1/playbooks/db-outage/duplicate', { id: 'db-outage-eu', title: 'Database outage (EU)' });
    expect(duplicated).toMatchObject({ status: 201, body: { id: 'db-outage-eu', version: 1, playbook: { id: 'db-outage-eu', title: 'Database outage (EU)' } } });
    expect((await call('GET', '/api/v1/playbooks/nope')).status).toBe(404);
  });
});
