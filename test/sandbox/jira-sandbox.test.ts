/** The Jira sandbox driven through the real jira-client, the way the Jira adapter will call it. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import JiraApi from 'jira-client';
import { createJiraSandbox } from '../../sandbox/jira-sandbox.js';

const sandbox = createJiraSandbox();
// A second instance with a path prefix and Jira Cloud style basic credentials (e-mail + API token).
const prefixed = createJiraSandbox({ base: '/jira', basic: [{ username: 'bot@example.com', password: 'api-token' }] });

function clientFor(url: string, auth: { bearer: string } | { username: string; password: string }, base = ''): JiraApi {
  return new JiraApi({ protocol: 'http', host: '127.0.0.1', port: new URL(url).port, base, apiVersion: '2', strictSSL: false, ...auth });
}

/** jira-client rejects with Error(JSON.stringify(body)); this gives the Jira error object back. */
async function jiraErrorOf(promise: Promise<unknown>): Promise<{ errorMessages: string[]; errors: Record<string, string> }> {
  const error = await promise.then(
    () => expect.fail('expected the call to be refused'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return JSON.parse((error as Error).message);
}

const newIssue = (summary: string, labels: string[] = []) => ({
  fields: { project: { key: 'OPS' }, issuetype: { name: 'Incident' }, summary, description: 'db down', labels },
});

let jira: JiraApi;
beforeAll(async () => {
  await sandbox.server.start();
  await prefixed.server.start();
  jira = clientFor(sandbox.server.url, { bearer: 'jira-token' });
});
afterAll(async () => {
  await sandbox.server.stop();
  await prefixed.server.stop();
});
beforeEach(() => sandbox.server.reset());

describe('jira sandbox: issues', () => {
  it('creates an issue (201 {id,key,self}) that findIssue reads back as Open', async () => {
    const created = await jira.addNewIssue(newIssue('INC-1 database down', ['incident-1']));
    expect(created).toEqual({ id: '10001', key: 'OPS-1', self: `${sandbox.server.url}/rest/api/2/issue/10001` });
    expect(sandbox.server.requestsTo('POST', /\/rest\/api\/2\/issue$/)[0]?.status).toBe(201);

    const found = await jira.findIssue('OPS-1');
    expect(found.key).toBe('OPS-1');
    expect(found.fields).toMatchObject({ summary: 'INC-1 database down', labels: ['incident-1'], status: { name: 'Open' }, issuetype: { name: 'Incident' } });
    expect((await jira.addNewIssue(newIssue('second'))).key).toBe('OPS-2');
    expect(sandbox.issues().map((i) => [i.key, i.status])).toEqual([['OPS-1', 'Open'], ['OPS-2', 'Open']]);
  });

  it('refuses a bad create with one error entry per bad field, and creates nothing', async () => {
    const body = await jiraErrorOf(
      jira.addNewIssue({ fields: { project: { key: 'OPS' }, issuetype: { name: 'Epic' }, summary: '', labels: ['two words'] } }),
    );
    expect(body).toEqual({
      errorMessages: [],
      errors: {
        issuetype: 'Specify a valid issue type',
        summary: 'You must specify a summary of the issue.',
        labels: "The label 'two words' contains spaces which is invalid.",
      },
    });
    const project = await jiraErrorOf(jira.addNewIssue({ fields: { project: { key: 'NOPE' }, issuetype: { name: 'Task' }, summary: 'x'.repeat(256) } }));
    expect(Object.keys(project.errors).sort()).toEqual(['project', 'summary']);
    expect(sandbox.issues()).toEqual([]);
  });

  it('answers an unknown issue with Jira 404 body', async () => {
    expect(await jiraErrorOf(jira.findIssue('OPS-999'))).toEqual({
      errorMessages: ['Issue does not exist or you do not have permission to see it.'],
      errors: {},
    });
    expect((await jiraErrorOf(jira.addComment('OPS-999', 'hi'))).errorMessages).toHaveLength(1);
    expect(sandbox.server.requestsTo('GET', /\/issue\/OPS-999$/)[0]?.status).toBe(404);
  });
});

describe('jira sandbox: components', () => {
  // A project that lists its components, as a Jira admin sets them up; the default OPS lists none.
  const listed = createJiraSandbox({ projects: [{ key: 'SEC', issueTypes: ['Incident'], components: ['Security', 'Network'] }] });
  let secJira: JiraApi;
  beforeAll(async () => {
    secJira = clientFor(await listed.server.start(), { bearer: 'jira-token' });
  });
  afterAll(() => listed.server.stop());
  const secIssue = (components: unknown) => ({ fields: { project: { key: 'SEC' }, issuetype: { name: 'Incident' }, summary: 'leak', components } });

  it('sets components by name or by id, and reads them back with ids', async () => {
    const created = await secJira.addNewIssue(secIssue([{ name: 'Security' }]));
    const found = await secJira.findIssue(created.key);
    const security = found.fields.components[0] as { id: string; name: string; self: string };
    expect(security).toEqual({ id: expect.stringMatching(/^\d+$/), name: 'Security', self: `${listed.server.url}/rest/api/2/component/${security.id}` });
    const byId = await secJira.addNewIssue(secIssue([{ id: security.id }, { name: 'Network' }]));
    expect(listed.issues().find((issue) => issue.key === byId.key)?.components).toEqual(['Security', 'Network']);
    expect(listed.issues().find((issue) => issue.key === created.key)?.components).toEqual(['Security']);
  });

  it("refuses a component the project does not list with Jira's 400, and creates nothing", async () => {
    const before = listed.issues().length;
    expect(await jiraErrorOf(secJira.addNewIssue(secIssue([{ name: 'Security' }, { name: 'Payments' }])))).toEqual({
      errorMessages: [],
      errors: { components: "Component name 'Payments' is not valid" },
    });
    expect((await jiraErrorOf(secJira.addNewIssue(secIssue([{ id: '99999' }])))).errors).toEqual({ components: "Component id '99999' is not valid" });
    expect((await jiraErrorOf(secJira.addNewIssue(secIssue({ name: 'Security' })))).errors).toEqual({ components: 'data was not an array' });
    expect(listed.issues()).toHaveLength(before);
  });

  it('takes any component name in a project that lists none, and none at all when the field is absent', async () => {
    const created = await jira.addNewIssue({ fields: { ...newIssue('db down').fields, components: [{ name: 'Database' }] } });
    expect((await jira.findIssue(created.key)).fields.components).toEqual([expect.objectContaining({ name: 'Database' })]);
    const plain = await jira.addNewIssue(newIssue('no components'));
    expect((await jira.findIssue(plain.key)).fields.components).toEqual([]);
    expect(sandbox.issues().map((issue) => issue.components)).toEqual([['Database'], []]);
  });
});

describe('jira sandbox: comments and transitions', () => {
  it('adds comments (201 with author) and lists them', async () => {
    await jira.addNewIssue(newIssue('INC-2'));
    const comment = await jira.addComment('OPS-1', 'Commander: alice');
    expect(comment).toMatchObject({ id: '10001', body: 'Commander: alice', author: { name: 'incident-bot' } });
    expect(comment.self).toBe(`${sandbox.server.url}/rest/api/2/issue/10001/comment/10001`);
    expect(typeof comment.created).toBe('string');
    const listed = await jira.getComments('OPS-1');
    expect(listed).toMatchObject({ total: 1, comments: [{ body: 'Commander: alice' }] });
    expect(sandbox.comments('OPS-1').map((c) => c.body)).toEqual(['Commander: alice']);
    expect((await jiraErrorOf(jira.addComment('OPS-1', ''))).errors).toEqual({ comment: 'Comment body can not be empty!' });
  });

  it('lists transitions and applies one by id (204 -> undefined), refusing an unknown id', async () => {
    await jira.addNewIssue(newIssue('INC-3'));
    const { transitions } = await jira.listTransitions('OPS-1');
    expect(transitions.map((t: { id: string; name: string; to: { name: string } }) => [t.id, t.name, t.to.name])).toEqual([
      ['11', 'In Progress', 'In Progress'],
      ['21', 'Resolve', 'Resolved'],
      ['31', 'Done', 'Done'],
    ]);
    const resolve = transitions.find((t: { to: { name: string } }) => t.to.name === 'Resolved');
    expect(await jira.transitionIssue('OPS-1', { transition: { id: resolve.id } })).toBeUndefined();
    expect((await jira.findIssue('OPS-1')).fields.status.name).toBe('Resolved');

    const refused = await jiraErrorOf(jira.transitionIssue('OPS-1', { transition: { id: '99' } }));
    expect(refused.errorMessages).toEqual(["Transition id '99' is not valid for this issue."]);
    expect(sandbox.issues()[0]?.status).toBe('Resolved');
  });

  it('adds the comment a transition carries in update.comment', async () => {
    await jira.addNewIssue(newIssue('INC-4'));
    await jira.transitionIssue('OPS-1', { transition: { id: '31' }, update: { comment: [{ add: { body: 'Resolved by the incident bot' } }] } });
    expect(sandbox.comments('OPS-1').map((c) => c.body)).toEqual(['Resolved by the incident bot']);
    expect(sandbox.issues()[0]?.status).toBe('Done');
  });
});

describe('jira sandbox: search (the idempotency lookup by label)', () => {
  it('finds issues by label and project, newest first, with paging', async () => {
    await jira.addNewIssue(newIssue('first', ['incident-7']));
    await jira.addNewIssue(newIssue('other', ['incident-8']));
    await jira.addNewIssue(newIssue('second', ['incident-7', 'db']));

    const all = await jira.searchJira('labels = "incident-7" AND project = OPS ORDER BY created DESC');
    expect(all).toMatchObject({ startAt: 0, maxResults: 50, total: 2 });
    expect(all.issues.map((i: { key: string }) => i.key)).toEqual(['OPS-3', 'OPS-1']);
    expect(all.issues[0].fields).toMatchObject({ summary: 'second', labels: ['incident-7', 'db'], status: { name: 'Open' } });

    const page = await jira.searchJira('labels = incident-7', { startAt: 1, maxResults: 1, fields: ['summary'] });
    expect(page).toMatchObject({ startAt: 1, maxResults: 1, total: 2 });
    expect(page.issues).toEqual([expect.objectContaining({ key: 'OPS-3', fields: { summary: 'second' } })]);
    expect((await jira.searchJira('labels = "no-such-label"')).total).toBe(0);
  });

  it('answers GET /search too', async () => {
    await jira.addNewIssue(newIssue('by get', ['incident-9']));
    const response = await fetch(`${sandbox.server.url}/rest/api/2/search?jql=${encodeURIComponent('labels = incident-9')}`, {
      headers: { authorization: 'Bearer jira-token' },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).issues.map((i: { key: string }) => i.key)).toEqual(['OPS-1']);
  });

  it('refuses JQL outside the subset and unknown projects with 400', async () => {
    const bad = await jiraErrorOf(jira.searchJira('summary ~ "db"'));
    expect(bad.errorMessages[0]).toMatch(/^Error in the JQL Query: /);
    expect((await jiraErrorOf(jira.searchJira('labels = x OR labels = y'))).errorMessages[0]).toMatch(/^Error in the JQL Query: /);
    expect((await jiraErrorOf(jira.searchJira('labels = "unterminated'))).errorMessages[0]).toMatch(/^Error in the JQL Query: /);
    expect((await jiraErrorOf(jira.searchJira('labels = x ORDER BY priority'))).errorMessages[0]).toMatch(/^Error in the JQL Query: /);
    expect((await jiraErrorOf(jira.searchJira('labels = x AND project = NOPE'))).errorMessages).toEqual([
      "The value 'NOPE' does not exist for the field 'project'.",
    ]);
  });
});

describe('jira sandbox: auth, base prefix and faults', () => {
  it('answers missing or wrong credentials with 401 and a JSON body', async () => {
    const wrong = await jiraErrorOf(clientFor(sandbox.server.url, { bearer: 'nope' }).getCurrentUser());
    expect(wrong.errorMessages[0]).toMatch(/not authenticated/);
    const bare = await fetch(`${sandbox.server.url}/rest/api/2/myself`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('content-type')).toBe('application/json');
    expect(((await bare.json()) as any).errorMessages).toHaveLength(1);
    expect(await jira.getCurrentUser()).toMatchObject({ name: 'incident-bot', active: true });
  });

  it('serves under a base prefix with basic credentials', async () => {
    const cloud = clientFor(prefixed.server.url, { username: 'bot@example.com', password: 'api-token' }, '/jira');
    expect(await cloud.getCurrentUser()).toMatchObject({ name: 'bot@example.com', emailAddress: 'bot@example.com' });
    const created = await cloud.addNewIssue(newIssue('prefixed'));
    expect(created.self).toBe(`${prefixed.server.url}/jira/rest/api/2/issue/10001`);
    const badPassword = clientFor(prefixed.server.url, { username: 'bot@example.com', password: 'wrong' }, '/jira');
    expect((await jiraErrorOf(badPassword.getCurrentUser())).errorMessages[0]).toMatch(/not authenticated/);
    // The bearer default is off once basic credentials are configured.
    expect((await jiraErrorOf(clientFor(prefixed.server.url, { bearer: 'jira-token' }, '/jira').getCurrentUser())).errorMessages).toHaveLength(1);
  });

  it('injects a 503 that reaches jira-client as an Error whose message is the JSON error body', async () => {
    sandbox.server.addFault({ path: '/rest/api/2/issue', status: 503, times: 1, retryAfterSeconds: 5 });
    const error = await jira.addNewIssue(newIssue('during outage')).catch((e: unknown) => e);
    expect((error as Error).message).toBe('{"errorMessages":["injected fault 503"],"errors":{}}');
    expect(sandbox.issues()).toEqual([]);
    expect((await jira.addNewIssue(newIssue('after outage'))).key).toBe('OPS-1');
    expect(sandbox.server.requestsTo('POST', /\/issue$/).map((r) => r.status)).toEqual([503, 201]);
  });
});
