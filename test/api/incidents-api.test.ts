/** The REST API over real HTTP, against a real worker and the run's Temporal dev server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { connectToTestServer, testPlaybook, uniqueIncidentId } from '../helpers/temporal.js';
import { apiClient, startTestStack, type TestStack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';

let env: TestWorkflowEnvironment;
let stack: TestStack;
let call: ReturnType<typeof apiClient>;

beforeAll(async () => {
  env = await connectToTestServer();
  stack = await startTestStack(env, { bodyLimit: '16kb' });
  call = apiClient(stack.api.url);
});

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

async function startIncident(extra: Record<string, unknown> = {}): Promise<string> {
  const response = await call('POST', '/api/v1/incidents', { name: 'Checkout is down', reporter: 'alice', playbook: 'service-outage', ...extra });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

describe('REST API', () => {
  it('reports health, including whether Temporal is reachable', async () => {
    expect(await call('GET', '/healthz')).toEqual({ status: 200, body: { status: 'ok', temporal: 'reachable' } });
  });

  it('refuses the incident ID "new", which the web app\'s start page needs', async () => {
    const refused = await call('POST', '/api/v1/incidents', { id: 'new', name: 'Reserved', reporter: 'alice' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.problems.join(' ')).toContain('"new" is reserved');
  });

  it('starts an incident from a shipped playbook and returns its view', async () => {
    const response = await call('POST', '/api/v1/incidents', {
      name: 'Checkout is down',
      summary: 'HTTP 500 on /checkout',
      severity: 'SEV1',
      reporter: '@Alice',
      team: 'shop',
      playbook: 'service-outage',
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: 'reported', severity: 'sev1', commander: 'alice', playbook: { id: 'service-outage', version: 1 } });
    const id = response.body.id as string;
    expect(id).toMatch(/^[a-z0-9]{10}$/);
    // Temporal's Web UI shows more than an ID: the name, severity and playbook, and the details.
    const described = await env.client.workflow.getHandle(response.body.workflowId).describe();
    expect(await described.staticSummary()).toBe('Checkout is down · sev1 · Service outage');
    expect(await described.staticDetails()).toMatch(/^\*\*Checkout is down\*\*\n\nTeam shop, reported by @alice, playbook service-outage v1\.\n\nHTTP 500 on \/checkout$/);
    const view = await waitFor(() => call('GET', `/api/v1/incidents/${id}`), (r) => r.body.launch?.channelHeader?.status === 'done', {
      what: 'the launch',
    });
    expect(view.body).toMatchObject({ id, name: 'Checkout is down', summary: 'HTTP 500 on /checkout', team: 'shop', reporter: 'alice' });
    expect(view.body.checklists.map((c: { id: string }) => c.id)).toEqual(['triage', 'investigation', 'resolution']);
    expect(view.body.progress).toEqual({ done: 0, skipped: 0, total: 9 });
  });

  it('starts an incident from an inline playbook', async () => {
    const id = await startIncident({ playbook: testPlaybook, id: uniqueIncidentId('inline') });
    const view = await call('GET', `/api/v1/incidents/${id}`);
    expect(view.body.playbook).toMatchObject({ id: 'test-outage', version: 1 });
    expect(view.body.checklists[0].tasks[1]).toMatchObject({ id: 'impact', assignee: 'carol' });
  });

  it('rejects a bad start request naming every field, and starts nothing', async () => {
    const before = await env.client.workflow.count(`TaskQueue = '${stack.taskQueue}'`);
    const response = await call('POST', '/api/v1/incidents', { name: '', reporter: 'not a user', severity: 3 });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_input');
    expect(response.body.error.problems).toEqual([
      'name: an incident needs a name',
      'severity: Invalid input: expected string, received number',
      'reporter: expected a Mattermost username like "alice" or "@alice" (letters, digits, ".", "-", "_")',
    ]);
    const unknownPlaybook = await call('POST', '/api/v1/incidents', { name: 'x', reporter: 'alice', playbook: 'nope' });
    expect(unknownPlaybook.status).toBe(400);
    expect(unknownPlaybook.body.error.message).toBe('unknown playbook "nope"; known: blank, security-incident, service-outage');
    const badPlaybook = await call('POST', '/api/v1/incidents', {
      name: 'x',
      reporter: 'alice',
      playbook: { id: 'p', title: 'P', checklists: [{ title: 'C', tasks: [{ title: '' }] }] },
    });
    expect(badPlaybook.status).toBe(400);
    expect(badPlaybook.body.error.problems).toEqual(['playbook.checklists[0].tasks[0].title: a task needs a title']);
    // Problems the start schema's union used to hide behind "Invalid input" are named as POST /playbooks names them.
    const notAList = await call('POST', '/api/v1/incidents', { name: 'x', reporter: 'alice', playbook: { id: 'p', title: 'P', checklists: 'nope' } });
    expect(notAList.status).toBe(400);
    expect(notAList.body.error.problems).toEqual([expect.stringMatching(/^playbook\.checklists: /)]);
    expect(notAList.body.error.problems[0]).not.toMatch(/Invalid input/);
    const badSeverity = await call('POST', '/api/v1/incidents', { name: 'x', reporter: 'alice', severity: 'sev9' });
    expect(badSeverity.status).toBe(400);
    expect(badSeverity.body.error.message).toMatch(/severity "sev9" is not one of sev1, sev2, sev3, sev4/);
    expect((await env.client.workflow.count(`TaskQueue = '${stack.taskQueue}'`)).count).toBe(before.count);
  });

  it('starts one incident for a start sent again with the same Idempotency-Key, and refuses that key for another incident', async () => {
    const before = await env.client.workflow.count(`TaskQueue = '${stack.taskQueue}'`);
    const headers = { 'Idempotency-Key': `start-${uniqueIncidentId('key')}` };
    const body = { name: 'Checkout is down (retried)', reporter: 'alice', playbook: 'service-outage' };
    const first = await call('POST', '/api/v1/incidents', body, headers);
    expect(first.status).toBe(201);
    const again = await Promise.all([call('POST', '/api/v1/incidents', body, headers), call('POST', '/api/v1/incidents', body, headers)]);
    for (const answer of again) {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id: first.body.id, name: 'Checkout is down (retried)', replayed: true });
    }
    const other = await call('POST', '/api/v1/incidents', { ...body, name: 'Something else' }, headers);
    expect(other.status).toBe(422);
    expect(other.body.error.message).toBe(
      `this Idempotency-Key started incident ${first.body.id} ("Checkout is down (retried)", playbook service-outage) already; a different incident needs another key`,
    );
    expect((await env.client.workflow.count(`TaskQueue = '${stack.taskQueue}'`)).count).toBe(before.count + 1);
  });

  it('refuses a second incident with the same id (409)', async () => {
    const id = uniqueIncidentId('dup');
    await startIncident({ id });
    const again = await call('POST', '/api/v1/incidents', { id, name: 'again', reporter: 'alice' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe(`incident ${id} already exists`);
  });

  it('answers 404 for an unknown incident and 400 for a malformed id', async () => {
    const missing = await call('GET', '/api/v1/incidents/does-not-exist');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('incident does-not-exist not found');
    const commandOnMissing = await call('POST', '/api/v1/incidents/does-not-exist/acknowledge', {});
    expect(commandOnMissing.status).toBe(404);
    const malformed = await call('GET', '/api/v1/incidents/NOT_AN_ID');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/is not an incident id/);
  });

  it('runs every command endpoint as an update and returns the new view', async () => {
    const id = await startIncident();
    const path = (suffix: string) => `/api/v1/incidents/${id}${suffix}`;
    const steps: Array<[string, unknown, (body: any) => unknown, unknown]> = [
      ['/acknowledge', { actor: 'bob' }, (b) => b.status, 'active'],
      ['/tasks/1.1/complete', {}, (b) => b.checklists[0].tasks[0].state, 'done'],
      ['/tasks/triage-ack/reopen', {}, (b) => b.checklists[0].tasks[0].state, 'open'],
      ['/tasks/2.3/skip', { reason: 'internal only' }, (b) => b.checklists[1].tasks[2].state, 'skipped'],
      ['/tasks/1.2/assign', { assignee: '@dave' }, (b) => b.checklists[0].tasks[1].assignee, 'dave'],
      ['/checklists/resolution/tasks', { title: 'Write the post-mortem' }, (b) => b.checklists[2].tasks.at(-1).title, 'Write the post-mortem'],
      ['/commander', { commander: 'bob' }, (b) => b.commander, 'bob'],
      ['/severity', { severity: 'sev1' }, (b) => b.severity, 'sev1'],
      ['/notes', { text: 'DB failover started', actor: 'bob' }, (b) => b.timeline.at(-1).text, 'DB failover started'],
      ['/resolve', { summary: 'failover done' }, (b) => b.status, 'resolved'],
      ['/reopen', { reason: 'again' }, (b) => b.status, 'active'],
      ['/resolve', {}, (b) => b.status, 'resolved'],
      ['/close', {}, (b) => b.status, 'closed'],
    ];
    for (const [suffix, body, pick, expected] of steps) {
      const response = await call('POST', path(suffix), body);
      expect(response.status, suffix).toBe(200);
      expect(pick(response.body), suffix).toEqual(expected);
    }
    const afterClose = await call('POST', path('/notes'), { text: 'too late' });
    expect(afterClose.status).toBe(409);
    expect(afterClose.body.error.message).toMatch(/closed/);
    // A closed incident can still be read.
    expect((await call('GET', path(''))).body.status).toBe('closed');
  });

  it('maps refusals to 400, 404 and 409 with the reason', async () => {
    const id = await startIncident();
    const path = (suffix: string) => `/api/v1/incidents/${id}${suffix}`;
    const resolveEarly = await call('POST', path('/resolve'), {});
    expect(resolveEarly).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect(resolveEarly.body.error.message).toMatch(/it is reported; acknowledge it first/);
    const unknownTask = await call('POST', path('/tasks/9.9/complete'), {});
    expect(unknownTask).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(unknownTask.body.error.message).toMatch(/task 9.9 does not exist/);
    const badAssignee = await call('POST', path('/tasks/1.1/assign'), { assignee: 'two words' });
    expect(badAssignee.status).toBe(400);
    expect(badAssignee.body.error.problems).toEqual([
      'assignee: expected a Mattermost username like "alice" or "@alice" (letters, digits, ".", "-", "_")',
    ]);
    const missingField = await call('POST', path('/commander'), {});
    expect(missingField.status).toBe(400);
    expect(missingField.body.error.problems[0]).toMatch(/^commander:/);
    const badSeverity = await call('POST', path('/severity'), { severity: 'sev9' });
    expect(badSeverity.status).toBe(400);
    expect(badSeverity.body.error.message).toMatch(/not one of/);
  });

  it('refuses malformed, non-object and oversized bodies', async () => {
    const id = await startIncident();
    const notJson = await call('POST', `/api/v1/incidents/${id}/notes`, '{"text": ');
    expect(notJson).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
    const array = await call('POST', `/api/v1/incidents/${id}/notes`, ['text']);
    expect(array).toMatchObject({ status: 400, body: { error: { message: 'the request body must be a JSON object' } } });
    const huge = await call('POST', `/api/v1/incidents/${id}/notes`, { text: 'x'.repeat(20_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.message).toBe('the request body is larger than the 16kb limit');
    const tooLongNote = await call('POST', `/api/v1/incidents/${id}/notes`, { text: 'x'.repeat(5_000) });
    expect(tooLongNote.status).toBe(400);
    const view = await call('GET', `/api/v1/incidents/${id}`);
    expect(view.body.timeline.filter((e: { kind: string }) => e.kind === 'note')).toEqual([]);
  });

  it('applies a command sent twice with the same Idempotency-Key once', async () => {
    const id = await startIncident();
    const headers = { 'Idempotency-Key': `note-${id}` };
    const first = await call('POST', `/api/v1/incidents/${id}/notes`, { text: 'only once' }, headers);
    const second = await call('POST', `/api/v1/incidents/${id}/notes`, { text: 'only once' }, headers);
    expect([first.status, second.status]).toEqual([200, 200]);
    const view = await call('GET', `/api/v1/incidents/${id}`);
    expect(view.body.timeline.filter((e: { text: string }) => e.text === 'only once')).toHaveLength(1);
    // The same key on another command is another request: applied, never answered with the note's result.
    const acknowledged = await call('POST', `/api/v1/incidents/${id}/acknowledge`, {}, headers);
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body.status).toBe('active');
  });

  it('answers with what changed under Prefer: return=minimal, and refuses an Idempotency-Key that is not a short token', async () => {
    const id = await startIncident();
    const minimal = { Prefer: 'return=minimal', 'Idempotency-Key': `minimal-${id}` };
    const first = await call('POST', `/api/v1/incidents/${id}/notes`, { text: 'a short answer' }, minimal);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ incidentId: id, revision: expect.any(Number), status: 'reported', changed: [{ seq: expect.any(Number), kind: 'note', text: 'a short answer' }] });
    const again = await call('POST', `/api/v1/incidents/${id}/notes`, { text: 'a short answer' }, minimal);
    // Within a run Temporal itself answers a repeated Update ID with the first answer.
    expect(again.body).toEqual(first.body);
    for (const key of ['x'.repeat(10_000), 'has space', '']) {
      const refused = await call('POST', `/api/v1/incidents/${id}/notes`, { text: 'never' }, { 'Idempotency-Key': key });
      expect(refused.status, `key of ${key.length} characters`).toBe(400);
      expect(refused.body.error.message).toMatch(/Idempotency-Key must be 1 to 128 printable ASCII characters/);
    }
    const timeline = await call('GET', `/api/v1/incidents/${id}/timeline?kind=__proto__`);
    expect(timeline.status).toBe(400);
    expect(timeline.body.error.message).toMatch(/"__proto__" is not a timeline kind/);
    for (const before of ['0', 'soon', '1.5']) {
      const page = await call('GET', `/api/v1/incidents/${id}/timeline?before=${before}`);
      expect(page.status, `before=${before}`).toBe(400);
      expect(page.body.error.problems).toEqual([expect.stringMatching(/^before: /)]);
    }
  });

  it('lists incidents filtered by status from the store\'s records, each a moment after its change', async () => {
    const active = await startIncident({ team: 'listing' });
    const reported = await startIncident({ team: 'listing' });
    await call('POST', `/api/v1/incidents/${active}/acknowledge`, {});
    const list = await waitFor(
      () => call('GET', '/api/v1/incidents?team=listing&status=active'),
      (r) => r.status === 200 && r.body.items.length === 1,
      { what: 'the active incident to be listed' },
    );
    expect(list.body.items[0]).toMatchObject({ id: active, status: 'active', team: 'listing', playbookId: 'service-outage' });
    const all = await waitFor(() => call('GET', '/api/v1/incidents?team=listing'), (r) => r.body.items?.length === 2);
    expect(all.body.items.map((i: { id: string }) => i.id).sort()).toEqual([active, reported].sort());
    const bad = await call('GET', "/api/v1/incidents?status=active' OR 1=1");
    expect(bad.status).toBe(400);
  });

  it('answers unknown routes with a JSON 404', async () => {
    expect(await call('GET', '/api/v1/nothing')).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'no route GET /api/v1/nothing' } },
    });
  });
});

describe('REST API when the incident does not answer', () => {
  it('serves the view from the store’s record, says so, and still refuses to change anything', async () => {
    const own = await startTestStack(env, { commandTimeoutMs: 1_500 });
    try {
      const call = apiClient(own.api.url);
      const start = await call('POST', '/api/v1/incidents', { name: 'Quiet worker', reporter: 'alice' });
      expect(start.status).toBe(201);
      const id = start.body.id as string;
      const ack = await call('POST', `/api/v1/incidents/${id}/acknowledge`, { actor: 'bob' });
      expect(ack.status).toBe(200);
      // Once the launch is over nothing changes by itself: that revision's record is stored, then the worker goes away.
      const settled = await waitFor(() => call('GET', `/api/v1/incidents/${id}`), (read) => Object.values(read.body.launch).every((step) => (step as { status: string }).status !== 'pending'), {
        what: 'the launch to finish',
      });
      const live = await fetch(`${own.api.url}/api/v1/incidents/${id}`);
      expect(live.headers.get('x-incident-view-source')).toBe('incident');
      expect(Number(live.headers.get('x-incident-revision'))).toBeGreaterThanOrEqual(settled.body.revision);
      const revision = Number(live.headers.get('x-incident-revision'));
      await waitFor(() => call('GET', `/api/v1/incidents?q=${id}`), (list) => list.body.items?.[0]?.revision === revision, { what: 'the settled record' });
      await own.stopWorker();
      const stored = await fetch(`${own.api.url}/api/v1/incidents/${id}`);
      expect(stored.status).toBe(200);
      expect(stored.headers.get('x-incident-view-source')).toBe('store');
      const view = (await stored.json()) as { status: string; revision: number; timeline: Array<{ kind: string }> };
      expect(view.status).toBe('active');
      expect(view.revision).toBe(revision);
      expect(view.timeline.map((event) => event.kind)).toContain('status_changed');
      // A change still needs the incident: nothing is applied behind its back.
      const refused = await call('POST', `/api/v1/incidents/${id}/notes`, { text: 'anyone there?' });
      expect(refused.status).toBe(504);
    } finally {
      await own.stop();
    }
  });
});

describe('REST API without a worker', () => {
  it('says so with a 504 instead of hanging', async () => {
    const idle = await startTestStack(env, { withWorker: false, commandTimeoutMs: 1_500 });
    try {
      const start = await apiClient(idle.api.url)('POST', '/api/v1/incidents', { name: 'x', reporter: 'alice' });
      expect(start.status).toBe(201);
      const command = await apiClient(idle.api.url)('POST', `/api/v1/incidents/${start.body.id}/acknowledge`, {});
      expect(command.status).toBe(504);
      expect(command.body.error.message).toMatch(/check that an incident worker is running/);
    } finally {
      await idle.stop();
    }
  });
});
