/**
 * Chooses the adapter for each external system. A system with credentials in the environment gets its real service.
 * One without is refused at start, naming what to set, unless sandboxes were asked for (`SANDBOXES=on`, which `npm
 * start` sets): then it gets a sandbox server started here on a loopback port, with the same adapter pointed at it, so
 * a newcomer sees the whole flow through the real client libraries. A production worker that lost one variable must
 * not send tickets to a fake that forgets them at restart. Each choice is logged at start-up.
 *
 * The on-call service is whichever ON_CALL_PROVIDER names (Opsgenie by default, or PagerDuty): only that one needs
 * credentials, and only its sandbox is started without them.
 *
 * The sandboxes are imported only when one is started: they stay out of the production runtime path.
 */
import type { Logger } from 'pino';
import type { WorkerConfig as Config } from './worker-config.js';
import { JiraTickets } from '../integrations/jira/jira-tickets.js';
import { MattermostChat } from '../integrations/mattermost/mattermost-chat.js';
import { OpsgenieOnCall } from '../integrations/opsgenie/opsgenie-on-call.js';
import { PagerDutyOnCall } from '../integrations/pagerduty/pagerduty-on-call.js';
import type { IntegrationPorts } from '../activities/ports/integration-ports.js';
import type { OnCallPort } from '../activities/ports/on-call.js';
import type { SharedLocks } from '../activities/ports/shared-locks.js';
import { ZoomMeetings } from '../integrations/zoom/zoom-meetings.js';
import type { SandboxServer } from '../sandbox/sandbox-server.js';

export interface SelectedIntegrations {
  ports: IntegrationPorts;
  /** Sandboxes started because credentials were missing, by system name. */
  sandboxes: Record<string, SandboxServer>;
  /** One line per system: real service or sandbox, and where. */
  summary: string[];
  stop(): Promise<void>;
}

/** What each system needs to be real, as the operator would set it. */
const CREDENTIALS = {
  Mattermost: 'MATTERMOST_URL and MATTERMOST_BOT_TOKEN',
  Jira: 'JIRA_URL with JIRA_TOKEN (or JIRA_USERNAME and JIRA_PASSWORD)',
  Zoom: 'ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET',
  Opsgenie: 'OPSGENIE_API_KEY',
  PagerDuty: 'PAGERDUTY_API_TOKEN and PAGERDUTY_ROUTING_KEY',
} as const;

/** The systems whose credentials are missing from this configuration. */
export function systemsWithoutCredentials(config: Config): Array<keyof typeof CREDENTIALS> {
  const missing: Array<keyof typeof CREDENTIALS> = [];
  if (!(config.MATTERMOST_URL && config.MATTERMOST_BOT_TOKEN)) missing.push('Mattermost');
  if (!config.JIRA_URL) missing.push('Jira');
  if (!(config.ZOOM_ACCOUNT_ID && config.ZOOM_CLIENT_ID && config.ZOOM_CLIENT_SECRET)) missing.push('Zoom');
  // Only the on-call service ON_CALL_PROVIDER picks needs its credentials.
  if (config.ON_CALL_PROVIDER === 'pagerduty') {
    if (!(config.PAGERDUTY_API_TOKEN && config.PAGERDUTY_ROUTING_KEY)) missing.push('PagerDuty');
  } else if (!config.OPSGENIE_API_KEY) {
    missing.push('Opsgenie');
  }
  return missing;
}

/** Refuses a configuration that lacks credentials when sandboxes were not asked for, naming every variable to set. */
export function requireCredentials(config: Config, sandboxesAllowed: boolean): void {
  const missing = systemsWithoutCredentials(config);
  if (sandboxesAllowed || missing.length === 0) return;
  throw new Error(
    `no credentials for ${missing.join(', ')}: set ${missing.map((system) => CREDENTIALS[system]).join('; ')}. ` +
      'To try the product without them, SANDBOXES=on runs in-memory stand-ins instead (never in production: they forget everything at restart).',
  );
}

export interface IntegrationChoices {
  sandboxesAllowed: boolean;
  /** The lock every worker process takes before it writes a person's sidebar category: the store's (all workers share it). */
  sharedLocks?: SharedLocks;
}

export async function selectIntegrations(config: Config, logger: Logger, options: IntegrationChoices): Promise<SelectedIntegrations> {
  requireCredentials(config, options.sandboxesAllowed);
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
  const chatOptions = options.sharedLocks ? { sharedLocks: options.sharedLocks } : {};
  if (config.MATTERMOST_URL && config.MATTERMOST_BOT_TOKEN) {
    chat = new MattermostChat({ url: config.MATTERMOST_URL, token: config.MATTERMOST_BOT_TOKEN, timeoutMs }, chatOptions);
    summary.push(`Mattermost: ${config.MATTERMOST_URL}`);
  } else {
    const teams = config.SANDBOX_MATTERMOST_TEAMS.split(',').map((t) => t.trim()).filter(Boolean).map((name) => ({ name }));
    const { createMattermostSandbox } = await import('../sandbox/mattermost/index.js');
    const url = await startSandbox('Mattermost', createMattermostSandbox({ teams }).server, 'MATTERMOST_URL/MATTERMOST_BOT_TOKEN');
    chat = new MattermostChat({ url, token: 'mm-bot-token', timeoutMs }, chatOptions);
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
    const { createJiraSandbox } = await import('../sandbox/jira-sandbox.js');
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
    const { createZoomSandbox } = await import('../sandbox/zoom-sandbox.js');
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

  let onCall: OnCallPort;
  if (config.ON_CALL_PROVIDER === 'pagerduty') {
    const pagerDuty = {
      apiUrl: config.PAGERDUTY_API_URL,
      eventsUrl: config.PAGERDUTY_EVENTS_URL,
      severityMap: config.PAGERDUTY_SEVERITY_MAP,
      timeoutMs,
    };
    if (config.PAGERDUTY_API_TOKEN && config.PAGERDUTY_ROUTING_KEY) {
      onCall = new PagerDutyOnCall({
        ...pagerDuty,
        apiToken: config.PAGERDUTY_API_TOKEN,
        routingKey: config.PAGERDUTY_ROUTING_KEY,
        ...(config.PAGERDUTY_SCHEDULE ? { defaultSchedule: config.PAGERDUTY_SCHEDULE } : {}),
      });
      summary.push(`PagerDuty: ${config.PAGERDUTY_API_URL} (events ${config.PAGERDUTY_EVENTS_URL})`);
    } else {
      // Two servers, as PagerDuty has two hosts: the REST API (on-calls, incidents) and the Events API (paging).
      const { createPagerDutySandbox } = await import('../sandbox/pagerduty-sandbox.js');
      const sandbox = createPagerDutySandbox();
      const missing = 'PAGERDUTY_API_TOKEN/PAGERDUTY_ROUTING_KEY';
      const apiUrl = await startSandbox('PagerDuty', sandbox.server, missing);
      const eventsUrl = await startSandbox('PagerDuty Events', sandbox.events, missing);
      onCall = new PagerDutyOnCall({
        ...pagerDuty,
        apiUrl,
        eventsUrl,
        apiToken: sandbox.apiToken,
        routingKey: sandbox.routingKey,
        defaultSchedule: config.PAGERDUTY_SCHEDULE ?? 'primary',
      });
    }
  } else if (config.OPSGENIE_API_KEY) {
    onCall = new OpsgenieOnCall({
      apiKey: config.OPSGENIE_API_KEY,
      url: config.OPSGENIE_URL,
      ...(config.OPSGENIE_SCHEDULE ? { defaultSchedule: config.OPSGENIE_SCHEDULE } : {}),
      timeoutMs,
    });
    summary.push(`Opsgenie: ${config.OPSGENIE_URL}`);
  } else {
    const { createOpsgenieSandbox } = await import('../sandbox/opsgenie-sandbox.js');
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
