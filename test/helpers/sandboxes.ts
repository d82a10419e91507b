/** All four sandbox servers on loopback ports, and the real adapters pointed at them. */
import { JiraTickets } from '../../integrations/jira/jira-tickets.js';
import { MattermostChat } from '../../integrations/mattermost/mattermost-chat.js';
import { OpsgenieOnCall } from '../../integrations/opsgenie/opsgenie-on-call.js';
import type { IntegrationPorts } from '../../integrations/ports.js';
import { ZoomMeetings } from '../../integrations/zoom/zoom-meetings.js';
import { createJiraSandbox } from '../../sandbox/jira-sandbox.js';
import { createMattermostSandbox } from '../../sandbox/mattermost-sandbox.js';
import { createOpsgenieSandbox } from '../../sandbox/opsgenie-sandbox.js';
import { createZoomSandbox } from '../../sandbox/zoom-sandbox.js';

export async function startSandboxes() {
  // alice's token lets a test post as a person (the bot's own posts are not notes).
  const mattermost = createMattermostSandbox({ teams: [{ name: 'default' }, { name: 'shop' }], tokens: { 'mm-bot-token': 'incident-bot', 'alice-token': 'alice' } });
  const jira = createJiraSandbox();
  const zoom = createZoomSandbox();
  const opsgenie = createOpsgenieSandbox();
  const [mattermostUrl, jiraUrl, zoomUrl, opsgenieUrl] = await Promise.all([
    mattermost.server.start(),
    jira.server.start(),
    zoom.server.start(),
    opsgenie.server.start(),
  ]);
  const urls = { mattermost: mattermostUrl, jira: jiraUrl, zoom: zoomUrl, opsgenie: opsgenieUrl };
  return {
    mattermost,
    jira,
    zoom,
    opsgenie,
    urls,
    ports: sandboxPorts(urls),
    reset() {
      for (const sandbox of [mattermost, jira, zoom, opsgenie]) sandbox.server.reset();
    },
    async stop() {
      await Promise.all([mattermost, jira, zoom, opsgenie].map((sandbox) => sandbox.server.stop()));
    },
  };
}

/** Real adapters for sandboxes at these URLs (the sandboxes' default credentials). */
export function sandboxPorts(urls: { mattermost: string; jira: string; zoom: string; opsgenie: string }, timeoutMs = 2_000): IntegrationPorts {
  return {
    chat: new MattermostChat({ url: urls.mattermost, token: 'mm-bot-token', timeoutMs }),
    tickets: new JiraTickets({ url: urls.jira, token: 'jira-token', defaultProject: 'OPS', defaultIssueType: 'Task', timeoutMs }),
    meetings: new ZoomMeetings({
      accountId: 'zoom-account',
      clientId: 'zoom-client',
      clientSecret: 'zoom-secret',
      apiUrl: `${urls.zoom}/v2`,
      oauthUrl: urls.zoom,
      timeoutMs,
    }),
    onCall: new OpsgenieOnCall({ apiKey: 'og-key', url: urls.opsgenie, defaultSchedule: 'primary', timeoutMs }),
  };
}
