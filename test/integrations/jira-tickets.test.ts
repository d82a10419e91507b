/** The Jira adapter through jira-client against the Jira sandbox: the happy path and every error class. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JiraTickets } from '../../integrations/jira/jira-tickets.js';
import { createJiraSandbox } from '../../sandbox/jira-sandbox.js';
import { failureOf } from '../helpers/integration-errors.js';

const sandbox = createJiraSandbox({ bearerTokens: ['jira-token'], basic: [{ username: 'bot@example.com', password: 'api-token' }], base: '/jira' });
let jira: JiraTickets;

beforeAll(async () => {
  const url = await sandbox.server.start();
  jira = new JiraTickets({ url: `${url}/jira`, token: 'jira-token', defaultProject: 'OPS', defaultIssueType: 'Task', timeoutMs: 1_000 });
});
afterAll(() => sandbox.server.stop());
beforeEach(() => sandbox.server.reset());

describe('Jira ticket adapter', () => {
  it('opens an issue, finds it by label, comments once per marker and transitions it', async () => {
    expect(await jira.findIssueByLabel('incident-abc-ticket')).toBeUndefined();
    const ticket = await jira.createIssue({ summary: '[sev1] DB down', description: 'Incident abc', labels: ['incident-abc-ticket', 'prod'] });
    expect(ticket.key).toMatch(/^OPS-\d+$/);
    expect(ticket.url).toBe(`${sandbox.server.url}/jira/browse/${ticket.key}`);
    expect(await jira.findIssueByLabel('incident-abc-ticket')).toEqual(ticket);
    expect(sandbox.issues()[0]).toMatchObject({ summary: '[sev1] DB down', issueType: 'Task', labels: ['incident-abc-ticket', 'prod'] });

    expect(await jira.hasCommentContaining(ticket.key, '[abc:commentTicket-1]')).toBe(false);
    await jira.addComment(ticket.key, 'Resolved.\n\n[abc:commentTicket-1]');
    expect(await jira.hasCommentContaining(ticket.key, '[abc:commentTicket-1]')).toBe(true);

    expect(await jira.transitionIssue(ticket.key, 'done')).toBe(true);
    expect(sandbox.issues()[0]!.status).toBe('Done');
    expect(await jira.transitionIssue(ticket.key, 'Teleport')).toBe(false);
  });

  it('uses basic auth (e-mail and API token) when no token is given', async () => {
    const basic = new JiraTickets({ url: `${sandbox.server.url}/jira`, username: 'bot@example.com', password: 'api-token', defaultProject: 'OPS', defaultIssueType: 'Task' });
    expect((await basic.createIssue({ summary: 's', description: 'd', labels: [] })).key).toMatch(/^OPS-/);
    expect(sandbox.server.requests.at(-1)?.headers.authorization).toBe('Basic [redacted]');
  });

  it('reports validation errors as permanent, naming the field', async () => {
    const error = await failureOf(jira.createIssue({ summary: 's', description: 'd', labels: [], project: 'NOPE' }));
    expect(error).toMatchObject({ system: 'tickets', retryable: false, kind: 'BadRequest' });
    expect(error.message).toMatch(/^Jira answered 400: project: /);
  });

  it('reports bad credentials and unknown issues as permanent', async () => {
    const stranger = new JiraTickets({ url: `${sandbox.server.url}/jira`, token: 'wrong', defaultProject: 'OPS', defaultIssueType: 'Task' });
    expect(await failureOf(stranger.findIssueByLabel('x'))).toMatchObject({ retryable: false, kind: 'Unauthorized' });
    expect(await failureOf(jira.addComment('OPS-999', 'x'))).toMatchObject({ retryable: false, kind: 'NotFound' });
  });

  it('reports 503, 429 with Retry-After, a dropped connection and a timeout as temporary', async () => {
    sandbox.server.addFault({ method: 'POST', path: '/jira/rest/api/2/issue', status: 503, times: 1 });
    expect(await failureOf(jira.createIssue({ summary: 's', description: 'd', labels: [] }))).toMatchObject({ retryable: true, kind: 'Unavailable' });
    sandbox.server.addFault({ method: 'POST', path: '/jira/rest/api/2/issue', status: 429, retryAfterSeconds: 3, times: 1 });
    expect(await failureOf(jira.createIssue({ summary: 's', description: 'd', labels: [] }))).toMatchObject({ retryable: true, retryAfterMs: 3_000 });
    sandbox.server.addFault({ path: '/jira/rest/api/2/search', drop: true, times: 1 });
    expect(await failureOf(jira.findIssueByLabel('x'))).toMatchObject({ retryable: true, kind: 'NetworkError' });
    sandbox.server.addFault({ path: '/jira/rest/api/2/search', latencyMs: 1_500, times: 1 });
    expect(await failureOf(jira.findIssueByLabel('x'))).toMatchObject({ retryable: true, kind: 'Timeout' });
    expect(sandbox.issues()).toEqual([]);
  });
});
