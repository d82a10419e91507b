/**
 * The ticket port on Jira (REST API v2) through jira-client. jira-client turns every failure into
 * `new Error(JSON.stringify(whatTheRequestRejectedWith))` and forgets the HTTP status, so it is given its own request
 * function that rejects with the status, Retry-After and body; the adapter reads them back from the message.
 */
import JiraApi from 'jira-client';
import postmanRequest from 'postman-request';
import { IntegrationError } from '../../activities/ports/integration-error.js';
import { httpFailure, networkFailure, type FailureSource } from '../http-failure.js';
import { INCIDENT_LABEL_PREFIX, type NewTicket, type Ticket, type TicketPort } from '../../activities/ports/ticket.js';
import { currentCancellation } from '../../activities/ports/cancellation.js';

const JIRA: FailureSource = { system: 'tickets', service: 'Jira' };

export interface JiraConfig {
  /** Base URL of the Jira site, with any context path: https://jira.example.com or http://127.0.0.1:8080/jira */
  url: string;
  /** A personal access token (Bearer), or a user and password / API token (Basic). */
  token?: string;
  username?: string;
  password?: string;
  /** Project key and issue type when the playbook names none. */
  defaultProject: string;
  defaultIssueType: string;
  timeoutMs?: number;
}

interface RejectedRequest {
  statusCode?: number;
  retryAfter?: string;
  body?: unknown;
  network?: { code?: string; message: string };
}

function requestWithStatus(options: Record<string, unknown>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const cancelled = currentCancellation();
    const request = postmanRequest(options, (error, response) => {
      cancelled?.removeEventListener('abort', abort);
      if (error) {
        reject({ network: { code: error.code, message: error.message } } satisfies RejectedRequest);
        return;
      }
      if (response.statusCode >= 400) {
        const retryAfter = response.headers['retry-after'];
        reject({
          statusCode: response.statusCode,
          ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
          body: response.body,
        } satisfies RejectedRequest);
        return;
      }
      resolve(response.body);
    });
    // The activity was cancelled: stop the request (postman-request then reports an aborted request).
    function abort(): void {
      request.abort();
      reject({ network: { code: 'ECANCELED', message: 'the request was cancelled' } } satisfies RejectedRequest);
    }
    if (cancelled?.aborted) abort();
    else cancelled?.addEventListener('abort', abort, { once: true });
  });
}

/** "summary: You must specify a summary; Project is required" from Jira's error body. */
function describeJiraError(body: unknown): string {
  if (!body || typeof body !== 'object') return typeof body === 'string' ? body.slice(0, 200) : '';
  const { errorMessages = [], errors = {} } = body as { errorMessages?: string[]; errors?: Record<string, string> };
  return [...errorMessages, ...Object.entries(errors).map(([field, message]) => `${field}: ${message}`)].join('; ');
}

function classify(error: unknown): IntegrationError {
  if (error instanceof IntegrationError) return error;
  let rejected: RejectedRequest | undefined;
  try {
    rejected = JSON.parse((error as Error).message) as RejectedRequest;
  } catch {
    // Not one of ours: jira-client found errorMessages in a 2xx body, or something unexpected.
    return new IntegrationError('tickets', `Jira: ${(error as Error).message}`, false, 'BadResponse');
  }
  if (rejected?.network) return networkFailure(JIRA, rejected.network);
  if (rejected?.statusCode) return httpFailure(JIRA, rejected.statusCode, describeJiraError(rejected.body), rejected.retryAfter);
  return new IntegrationError('tickets', `Jira: ${(error as Error).message}`, false, 'BadResponse');
}

export class JiraTickets implements TicketPort {
  private readonly jira: JiraApi;
  private readonly browseBase: string;

  constructor(private readonly config: JiraConfig) {
    const url = new URL(config.url);
    const base = url.pathname.replace(/\/+$/, '');
    this.browseBase = `${url.origin}${base}`;
    this.jira = new JiraApi({
      protocol: url.protocol.replace(':', ''),
      host: url.hostname,
      ...(url.port ? { port: url.port } : {}),
      base,
      apiVersion: '2',
      strictSSL: true,
      timeout: config.timeoutMs ?? 10_000,
      request: requestWithStatus as never,
      ...(config.token ? { bearer: config.token } : { username: config.username, password: config.password }),
    });
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw classify(error);
    }
  }

  private ticket(key: string): Ticket {
    return { key, url: `${this.browseBase}/browse/${key}` };
  }

  async findIssueByLabel(label: string): Promise<Ticket | undefined> {
    const result = (await this.call(() =>
      this.jira.searchJira(`labels = "${label.replace(/"/g, '')}" ORDER BY created DESC`, { maxResults: 1, fields: ['summary'] }),
    )) as { issues?: Array<{ key: string }> };
    const key = result.issues?.[0]?.key;
    return key ? this.ticket(key) : undefined;
  }

  async sameIncidentIssues(issueKey: string): Promise<Ticket[]> {
    const issue = (await this.call(() => this.jira.findIssue(issueKey, '', 'labels'))) as { fields?: { labels?: unknown } };
    const labels = Array.isArray(issue.fields?.labels) ? (issue.fields.labels as unknown[]) : [];
    const label = labels.find((l): l is string => typeof l === 'string' && l.startsWith(INCIDENT_LABEL_PREFIX));
    if (!label) return [];
    const result = (await this.call(() =>
      this.jira.searchJira(`labels = "${label.replace(/"/g, '')}" ORDER BY created ASC`, { maxResults: 20, fields: ['summary'] }),
    )) as { issues?: Array<{ key: string }> };
    return (result.issues ?? []).filter((found) => found.key !== issueKey).map((found) => this.ticket(found.key));
  }

  async createIssue(request: NewTicket): Promise<Ticket> {
    const components = request.components ?? [];
    const created = (await this.call(() =>
      this.jira.addNewIssue({
        fields: {
          project: { key: request.project ?? this.config.defaultProject },
          issuetype: { name: request.issueType ?? this.config.defaultIssueType },
          summary: request.summary,
          description: request.description,
          labels: request.labels,
          // Jira names components by id or name; a name it does not know is a 400 naming it (components: Component
          // name 'X' is not valid), which no retry fixes. Left out when empty: the field may not be on the create screen.
          ...(components.length > 0 ? { components: components.map((name) => ({ name })) } : {}),
        },
      }),
    )) as { key: string };
    return this.ticket(created.key);
  }

  async hasCommentContaining(issueKey: string, marker: string): Promise<boolean> {
    const result = (await this.call(() => this.jira.getComments(issueKey))) as { comments?: Array<{ body?: string }> };
    return (result.comments ?? []).some((comment) => comment.body?.includes(marker));
  }

  async addComment(issueKey: string, body: string): Promise<void> {
    await this.call(() => this.jira.addComment(issueKey, body));
  }

  async transitionIssue(issueKey: string, transition: string): Promise<boolean> {
    const wanted = transition.toLowerCase();
    const { transitions = [] } = (await this.call(() => this.jira.listTransitions(issueKey))) as {
      transitions?: Array<{ id: string; name: string; to?: { name?: string } }>;
    };
    const match = transitions.find((t) => t.name.toLowerCase() === wanted || t.to?.name?.toLowerCase() === wanted);
    if (!match) return false;
    await this.call(() => this.jira.transitionIssue(issueKey, { transition: { id: match.id } }));
    return true;
  }
}
