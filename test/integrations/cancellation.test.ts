/**
 * A cancelled activity stops its HTTP request instead of letting it run to the adapter's timeout: the activity's
 * cancellation reaches the Jira and Mattermost adapters (activities/ports/cancellation.ts). The sandboxes hold the request
 * for 30 seconds, the adapters' timeout is 30 seconds, and the activity is cancelled after a fifth of a second.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createChatActivities } from '../../activities/chat.js';
import { createTicketActivities } from '../../activities/tickets.js';
import { callSignal, runCancellable } from '../../activities/ports/cancellation.js';
import { JiraTickets } from '../../integrations/jira/jira-tickets.js';
import { MattermostChat } from '../../integrations/mattermost/mattermost-chat.js';
import { createJiraSandbox } from '../../sandbox/jira-sandbox.js';
import { createMattermostSandbox } from '../../sandbox/mattermost/index.js';

const HELD_MS = 30_000;
const jiraSandbox = createJiraSandbox();
const mattermostSandbox = createMattermostSandbox();
let jira: JiraTickets;
let chat: MattermostChat;

beforeAll(async () => {
  const jiraUrl = await jiraSandbox.server.start();
  jira = new JiraTickets({ url: `${jiraUrl}/jira`, token: 'jira-token', defaultProject: 'OPS', defaultIssueType: 'Task', timeoutMs: HELD_MS });
  const mattermostUrl = await mattermostSandbox.server.start();
  chat = new MattermostChat({ url: mattermostUrl, token: 'mm-bot-token', timeoutMs: HELD_MS });
});

afterAll(async () => {
  await jiraSandbox.server.stop();
  await mattermostSandbox.server.stop();
});

/** Runs the activity, cancels it after 200 ms, and says how long it took to give up. */
async function cancelledAfterAMoment(run: (env: MockActivityEnvironment) => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const env = new MockActivityEnvironment();
  const started = performance.now();
  const outcome = run(env).then(
    () => ({ error: undefined }),
    (error: unknown) => ({ error }),
  );
  setTimeout(() => env.cancel(), 200);
  const { error } = await outcome;
  return { ms: performance.now() - started, error };
}

it('a cancelled ticket activity stops its Jira request', async () => {
  jiraSandbox.server.addFault({ path: '/jira/rest/api/2/search', latencyMs: HELD_MS, times: 1 });
  const { ms, error } = await cancelledAfterAMoment((env) =>
    env.run(createTicketActivities(jira).openTicket, { key: 'cancel-1:ticket', summary: 'held', description: 'held' }),
  );
  expect(error).toBeDefined();
  expect(ms).toBeLessThan(HELD_MS / 3);
  expect(jiraSandbox.issues()).toEqual([]);
});

it('a cancelled chat activity stops its Mattermost request', async () => {
  mattermostSandbox.server.addFault({ path: '/api/v4/teams/name/default', latencyMs: HELD_MS, times: 1 });
  const { ms, error } = await cancelledAfterAMoment((env) =>
    env.run(createChatActivities(chat).openIncidentChannel, {
      key: 'cancel-2:channel',
      team: 'default',
      name: 'incident-cancel-2',
      displayName: 'Held',
      purpose: '',
      private: false,
    }),
  );
  expect(error).toBeDefined();
  expect(ms).toBeLessThan(HELD_MS / 3);
});

it('outside an activity a request has its timeout alone; inside one, the activity\'s cancellation too', async () => {
  expect(callSignal(60_000).aborted).toBe(false);
  const controller = new AbortController();
  const inside = await runCancellable(controller.signal, async () => {
    const signal = callSignal(60_000);
    controller.abort();
    return signal.aborted;
  });
  expect(inside).toBe(true);
});
