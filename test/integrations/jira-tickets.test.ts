/** The Jira adapter through jira-client against the Jira sandbox: the happy path and every error class. */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTicketActivities } from '../../activities/tickets.js';
import { JiraTickets } from '../../integrations/jira/jira-tickets.js';
import { createJiraSandbox } from '../../sandbox/jira-sandbox.js';
import { failureOf } from '../helpers/integration-errors.js';
import { waitFor } from '../helpers/wait-for.js';

const sandbox = createJiraSandbox({
  bearerTokens: ['jira-token'],
  basic: [{ username: 'bot@example.com', password: 'api-token' }],
  base: '/jira',
  // OPS lists its components, so Jira refuses any other; OPEN lists none, and the sandbox takes any name there.
  projects: [
    { key: 'OPS', issueTypes: ['Task', 'Bug', 'Incident'], components: ['Database', 'Checkout'] },
    { key: 'OPEN', issueTypes: ['Task'] },
  ],
});
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

  it('closes the second issue a slow create leaves behind when the incident\'s issue is transitioned', async () => {
    const activities = createTicketActivities(jira);
    const open = { key: 'inc-9:ticket', summary: '[sev1] Checkout down', description: 'Incident inc-9', fresh: true };
    // Jira takes longer than the adapter waits, and makes the issue all the same once it is done.
    sandbox.server.addFault({ method: 'POST', path: '/jira/rest/api/2/issue', latencyMs: 1_500, times: 1 });
    await expect(new MockActivityEnvironment({ attempt: 1 }).run(activities.openTicket, open)).rejects.toThrow();
    // The retry looks before it creates, finds nothing yet, and opens another.
    const retried = (await new MockActivityEnvironment({ attempt: 2 }).run(activities.openTicket, open)) as Awaited<ReturnType<typeof activities.openTicket>>;
    expect(retried.reused).toBe(false);
    await waitFor(async () => sandbox.issues().length, (count) => count === 2, { what: 'the slow create to land' });
    const late = sandbox.issues().find((issue) => issue.key !== retried.ticketKey)!;
    expect(late.status).not.toBe('Done');

    const transition = { key: 'inc-9:transitionTicket', ticketKey: retried.ticketKey, transition: 'done' };
    expect(await new MockActivityEnvironment().run(activities.transitionTicket, transition)).toEqual({ moved: true, duplicates: [late.key] });
    expect(sandbox.issues().map((issue) => issue.status)).toEqual(['Done', 'Done']);
    expect(await jira.hasCommentContaining(late.key, `[duplicate-of ${retried.ticketKey}]`)).toBe(true);
    // Again (the activity retried): the duplicate is told once.
    await new MockActivityEnvironment({ attempt: 2 }).run(activities.transitionTicket, transition);
    const comments = sandbox.server.requestsTo('POST', new RegExp(`/issue/${late.key}/comment$`));
    expect(comments).toHaveLength(1);
  });

  it('sets the components by name on the issue, and sends none when there are none', async () => {
    const ticket = await jira.createIssue({ summary: 's', description: 'd', labels: ['incident-c-ticket'], components: ['Database', 'Checkout'] });
    const sent = sandbox.server.requestsTo('POST', /\/rest\/api\/2\/issue$/).at(-1)?.body as { fields: Record<string, unknown> };
    expect(sent.fields.components).toEqual([{ name: 'Database' }, { name: 'Checkout' }]);
    expect(sandbox.issues()).toEqual([expect.objectContaining({ key: ticket.key, components: ['Database', 'Checkout'] })]);

    await jira.createIssue({ summary: 's', description: 'd', labels: [], components: [] });
    expect((sandbox.server.requestsTo('POST', /\/rest\/api\/2\/issue$/).at(-1)?.body as { fields: object }).fields).not.toHaveProperty('components');
    expect(sandbox.issues()[1]!.components).toEqual([]);

    const elsewhere = await jira.createIssue({ summary: 's', description: 'd', labels: [], project: 'OPEN', components: ['Anything'] });
    expect(sandbox.issues().find((issue) => issue.key === elsewhere.key)?.components).toEqual(['Anything']);
  });

  it('refuses a component the project does not have with Jira\'s message, as permanent, and creates nothing', async () => {
    const error = await failureOf(jira.createIssue({ summary: 's', description: 'd', labels: [], components: ['Database', 'Payments'] }));
    expect(error).toMatchObject({ system: 'tickets', retryable: false, kind: 'BadRequest' });
    expect(error.message).toBe("Jira answered 400: components: Component name 'Payments' is not valid");
    expect(sandbox.issues()).toEqual([]);
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

const ignore = (): void => undefined;
const quiet = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

describe('openTicket over the Jira adapter', () => {
  it('sets the playbook components on the issue', async () => {
    const { openTicket } = createTicketActivities(jira);
    const opened = (await new MockActivityEnvironment({}, { logger: quiet }).run(openTicket, {
      key: 'c1:ticket',
      summary: '[sev2] Checkout slow',
      description: 'd',
      components: ['Checkout', 'Checkout'],
    })) as Awaited<ReturnType<typeof openTicket>>;
    expect(opened.reused).toBe(false);
    expect(sandbox.issues()).toEqual([expect.objectContaining({ key: opened.ticketKey, components: ['Checkout'], labels: ['incident-c1-ticket'] })]);
  });

  it('fails for good, with Jira\'s message naming the component, when the project has no such component', async () => {
    const { openTicket } = createTicketActivities(jira);
    const refused = await new MockActivityEnvironment({}, { logger: quiet })
      .run(openTicket, { key: 'c2:ticket', summary: 's', description: 'd', components: ['Payments'] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ nonRetryable: true, type: 'TicketsBadRequest', message: "Jira answered 400: components: Component name 'Payments' is not valid" });
    expect(sandbox.issues()).toEqual([]);
  });
});
