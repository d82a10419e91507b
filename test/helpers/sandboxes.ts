/** All the sandbox servers on loopback ports (both on-call services), and the real adapters pointed at them. */
import { JiraTickets } from '../../integrations/jira/jira-tickets.js';
import { MattermostChat } from '../../integrations/mattermost/mattermost-chat.js';
import { OpsgenieOnCall } from '../../integrations/opsgenie/opsgenie-on-call.js';
import { PagerDutyOnCall } from '../../integrations/pagerduty/pagerduty-on-call.js';
import type { IntegrationPorts } from '../../activities/ports/integration-ports.js';
import type { SharedLocks } from '../../activities/ports/shared-locks.js';
import type { OnCallProvider } from '../../activities/ports/on-call.js';
import { ZoomMeetings } from '../../integrations/zoom/zoom-meetings.js';
import { createJiraSandbox } from '../../sandbox/jira-sandbox.js';
import { createMattermostSandbox } from '../../sandbox/mattermost/index.js';
import { createOpsgenieSandbox } from '../../sandbox/opsgenie-sandbox.js';
import { createPagerDutySandbox, PAGERDUTY_SANDBOX_API_TOKEN, PAGERDUTY_SANDBOX_ROUTING_KEY } from '../../sandbox/pagerduty-sandbox.js';
import type { RecordedRequest } from '../../sandbox/sandbox-server.js';
import { createZoomSandbox } from '../../sandbox/zoom-sandbox.js';

export interface SandboxUrls {
  mattermost: string;
  jira: string;
  zoom: string;
  opsgenie: string;
  /** PagerDuty's REST API and Events API sandboxes; absent in URLs saved before there were any. */
  pagerduty?: string;
  pagerdutyEvents?: string;
}

/** One request a sandbox served, and which system served it (the benchmarks' call log). */
export type SandboxCall = RecordedRequest & { system: 'mattermost' | 'jira' | 'zoom' | 'opsgenie' | 'pagerduty' | 'pagerdutyEvents' };

export async function startSandboxes() {
  // alice's token lets a test post as a person (the bot's own posts are not notes).
  const mattermost = createMattermostSandbox({ teams: [{ name: 'default' }, { name: 'shop' }], tokens: { 'mm-bot-token': 'incident-bot', 'alice-token': 'alice' } });
  const jira = createJiraSandbox();
  const zoom = createZoomSandbox();
  const opsgenie = createOpsgenieSandbox();
  const pagerduty = createPagerDutySandbox();
  const [mattermostUrl, jiraUrl, zoomUrl, opsgenieUrl, pagerdutyUrls] = await Promise.all([
    mattermost.server.start(),
    jira.server.start(),
    zoom.server.start(),
    opsgenie.server.start(),
    pagerduty.start(),
  ]);
  const urls = {
    mattermost: mattermostUrl,
    jira: jiraUrl,
    zoom: zoomUrl,
    opsgenie: opsgenieUrl,
    pagerduty: pagerdutyUrls.apiUrl,
    pagerdutyEvents: pagerdutyUrls.eventsUrl,
  } satisfies SandboxUrls;
  const servers = [mattermost.server, jira.server, zoom.server, opsgenie.server, pagerduty.server, pagerduty.events];
  return {
    mattermost,
    jira,
    zoom,
    opsgenie,
    pagerduty,
    urls,
    /** The real adapters, with Opsgenie on call. */
    ports: sandboxPorts(urls),
    /** The real adapters, with PagerDuty on call instead. */
    pagerDutyPorts: sandboxPorts(urls, 2_000, 'pagerduty'),
    reset() {
      for (const server of servers) server.reset();
    },
    /**
     * Every request served since the last call, oldest first, and forgotten: a long benchmark reads the log as it
     * goes instead of letting it grow with every incident it opens. The records are the live ones: a call still being
     * answered gets its durationMs when it finishes.
     */
    takeCalls(): SandboxCall[] {
      const bySystem = [
        ['mattermost', mattermost.server],
        ['jira', jira.server],
        ['zoom', zoom.server],
        ['opsgenie', opsgenie.server],
        ['pagerduty', pagerduty.server],
        ['pagerdutyEvents', pagerduty.events],
      ] as const;
      const calls = bySystem.flatMap(([system, server]) => server.requests.splice(0).map((request) => Object.assign(request, { system })));
      return calls.sort((a, b) => (a.receivedAtMs ?? 0) - (b.receivedAtMs ?? 0));
    },
    async stop() {
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
}

/**
 * Real adapters for sandboxes at these URLs (the sandboxes' default credentials), on call through `onCall`; sidebar
 * writes under `sharedLocks` when given (the store's, as a worker has them).
 */
export function sandboxPorts(urls: SandboxUrls, timeoutMs = 2_000, onCall: OnCallProvider = 'opsgenie', sharedLocks?: SharedLocks): IntegrationPorts {
  return {
    chat: new MattermostChat({ url: urls.mattermost, token: 'mm-bot-token', timeoutMs }, sharedLocks ? { sharedLocks } : {}),
    tickets: new JiraTickets({ url: urls.jira, token: 'jira-token', defaultProject: 'OPS', defaultIssueType: 'Task', timeoutMs }),
    meetings: new ZoomMeetings({
      accountId: 'zoom-account',
      clientId: 'zoom-client',
      clientSecret: 'zoom-secret',
      apiUrl: `${urls.zoom}/v2`,
      oauthUrl: urls.zoom,
      timeoutMs,
    }),
    onCall: onCall === 'pagerduty' ? pagerDutyOnCall(urls, timeoutMs) : new OpsgenieOnCall({ apiKey: 'og-key', url: urls.opsgenie, defaultSchedule: 'primary', timeoutMs }),
  };
}

function pagerDutyOnCall(urls: SandboxUrls, timeoutMs: number): PagerDutyOnCall {
  if (!urls.pagerduty || !urls.pagerdutyEvents) throw new Error('no PagerDuty sandbox URLs');
  return new PagerDutyOnCall({
    apiToken: PAGERDUTY_SANDBOX_API_TOKEN,
    routingKey: PAGERDUTY_SANDBOX_ROUTING_KEY,
    apiUrl: urls.pagerduty,
    eventsUrl: urls.pagerdutyEvents,
    defaultSchedule: 'primary',
    timeoutMs,
  });
}
