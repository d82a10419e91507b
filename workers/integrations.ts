/**
 * Chooses the adapter for each external system. A system with credentials in the environment gets its real service; one
 * without gets a sandbox server started here on a loopback port, with the same adapter pointed at it, so a newcomer sees
 * the whole flow through the real client libraries. Each choice is logged at start-up.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/env.js';
import { JiraTickets } from '../integrations/jira/jira-tickets.js';
import { MattermostChat } from '../integrations/mattermost/mattermost-chat.js';
import { OpsgenieOnCall } from '../integrations/opsgenie/opsgenie-on-call.js';
import type { IntegrationPorts } from '../integrations/ports.js';
import { ZoomMeetings } from '../integrations/zoom/zoom-meetings.js';
import { createJiraSandbox } from '../sandbox/jira-sandbox.js';
import { createMattermostSandbox } from '../sandbox/mattermost-sandbox.js';
import { createOpsgenieSandbox } from '../sandbox/opsgenie-sandbox.js';
import type { SandboxServer } from '../sandbox/sandbox-server.js';
import { createZoomSandbox } from '../sandbox/zoom-sandbox.js';

export interface SelectedIntegrations {
  ports: IntegrationPorts;
  /** Sandboxes started because credentials were missing, by system name. */
  sandboxes: Record<string, SandboxServer>;
  /** One line per system: real service or sandbox, and where. */
  summary: string[];
  stop(): Promise<void>;
}

export async function selectIntegrations(config: Config, logger: Logger): Promise<SelectedIntegrations> {
  const timeoutMs = config.INTEGRATION_TIMEOUT_MS;
  const sandboxes: Record<string, SandboxServer> = {};
  const summary: string[] = [];
  const startSandbox = async (name: string, server: SandboxServer, missing: string): Promise<string> => {
    const url = await server.start();
    sandboxes[name] = server;
    summary.push(`${name}: sandbox at ${url} (inspect ${url}/_sandbox/state) because ${missing} is not set`);
    return url;
  };

  let chat: MattermostChat;
  if (config.MATTERMOST_URL && config.MATTERMOST_BOT_TOKEN) {
    chat = new MattermostChat({ url: config.MATTERMOST_URL, token: config.MATTERMOST_BOT_TOKEN, timeoutMs });
    summary.push(`Mattermost: ${config.MATTERMOST_URL}`);
  } else {
    const teams = config.SANDBOX_MATTERMOST_TEAMS.split(',').map((t) => t.trim()).filter(Boolean).map((name) => ({ name }));
    const url = await startSandbox('Mattermost', createMattermostSandbox({ teams }).server, 'MATTERMOST_URL/MATTERMOST_BOT_TOKEN');
    chat = new MattermostChat({ url, token: 'mm-bot-token', timeoutMs });
  }

  let tickets: JiraTickets;
  const jiraDefaults = { defaultProject: config.JIRA_PROJECT, defaultIssueType: config.JIRA_ISSUE_TYPE, timeoutMs };
  if (config.JIRA_URL) {
    tickets = new JiraTickets({
      url: config.JIRA_URL,
      ...jiraDefaults,
      ...(config.JIRA_TOKEN ? { token: config.JIRA_TOKEN } : { username: config.JIRA_USERNAME!, password: config.JIRA_PASSWORD! }),
    });
    summary.push(`Jira: ${config.JIRA_URL} (project ${config.JIRA_PROJECT})`);
  } else {
    const url = await startSandbox('Jira', createJiraSandbox({ projects: [{ key: config.JIRA_PROJECT, issueTypes: [config.JIRA_ISSUE_TYPE, 'Bug', 'Incident'] }] }).server, 'JIRA_URL');
    tickets = new JiraTickets({ url, token: 'jira-token', ...jiraDefaults });
  }

  let meetings: ZoomMeetings;
  if (config.ZOOM_ACCOUNT_ID && config.ZOOM_CLIENT_ID && config.ZOOM_CLIENT_SECRET) {
    meetings = new ZoomMeetings({
      accountId: config.ZOOM_ACCOUNT_ID,
      clientId: config.ZOOM_CLIENT_ID,
      clientSecret: config.ZOOM_CLIENT_SECRET,
      apiUrl: config.ZOOM_API_URL,
      oauthUrl: config.ZOOM_OAUTH_URL,
      hostUser: config.ZOOM_HOST_USER,
      timeoutMs,
    });
    summary.push(`Zoom: ${config.ZOOM_API_URL}`);
  } else {
    const url = await startSandbox('Zoom', createZoomSandbox().server, 'ZOOM_ACCOUNT_ID/ZOOM_CLIENT_ID/ZOOM_CLIENT_SECRET');
    meetings = new ZoomMeetings({
      accountId: 'zoom-account',
      clientId: 'zoom-client',
      clientSecret: 'zoom-secret',
      apiUrl: `${url}/v2`,
      oauthUrl: url,
      hostUser: 'me',
      timeoutMs,
    });
  }

  let onCall: OpsgenieOnCall;
  if (config.OPSGENIE_API_KEY) {
    onCall = new OpsgenieOnCall({
      apiKey: config.OPSGENIE_API_KEY,
      url: config.OPSGENIE_URL,
      ...(config.OPSGENIE_SCHEDULE ? { defaultSchedule: config.OPSGENIE_SCHEDULE } : {}),
      timeoutMs,
    });
    summary.push(`Opsgenie: ${config.OPSGENIE_URL}`);
  } else {
    const url = await startSandbox('Opsgenie', createOpsgenieSandbox().server, 'OPSGENIE_API_KEY');
    onCall = new OpsgenieOnCall({ apiKey: 'og-key', url, defaultSchedule: config.OPSGENIE_SCHEDULE ?? 'primary', timeoutMs });
  }

  for (const line of summary) logger.info({ integration: line.split(':')[0] }, line);
  return {
    ports: { chat, tickets, meetings, onCall },
    sandboxes,
    summary,
    async stop() {
      await Promise.all(Object.values(sandboxes).map((server) => server.stop()));
    },
  };
}
