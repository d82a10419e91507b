/**
 * The incident bot's Mattermost client: the official client (Client4) with the bot's token.
 * Two client quirks are handled here: Client4 hides the HTTP status and headers of a failed call (so Retry-After would be
 * lost) and has no request timeout. The bot client asks Client4 to hand back every response (`ignoreStatus`) with an
 * abort signal, and turns failures into classified IntegrationErrors itself.
 */
import mattermost from '@mattermost/client';
import type { FileUploadResponse } from '@mattermost/types/files';
import { httpFailure, networkFailure, type FailureSource } from '../http-failure.js';
import { callSignal } from '../../activities/ports/cancellation.js';
import { botAgents, sendBotRequest, type BotAgents } from './bot-http.js';
import { rememberStatus } from './chat-failures.js';

const MATTERMOST: FailureSource = { system: 'chat', service: 'Mattermost' };

// Native ESM cannot see Client4 as a named export of the CommonJS package.
const { Client4 } = mattermost;

export interface MattermostConfig {
  /** Server URL without a trailing slash, e.g. https://chat.example.com */
  url: string;
  /** The incident bot's access token. */
  token: string;
  timeoutMs?: number;
  /** Per file upload (the post-mortem export can be tens of MB); default 5 minutes. */
  uploadTimeoutMs?: number;
}

/** Mattermost's largest page (per_page is capped at 200 by the server). */
export const PAGE_MAX = 200;

interface FetchResult {
  response: { ok: boolean; status: number };
  headers: Headers;
  data: unknown;
}
type FetchWithResponse = (url: string, options: Record<string, unknown>) => Promise<FetchResult>;

export class IncidentBotClient extends Client4 {
  constructor(config: MattermostConfig) {
    super();
    this.setUrl(config.url.replace(/\/+$/, ''));
    this.setToken(config.token);
    this.setIncludeCookies(false);
    this.setUserAgent('incident-collaboration-temporal');
    const self = this as unknown as { doFetchWithResponse: FetchWithResponse };
    const original = self.doFetchWithResponse;
    const timeoutMs = config.timeoutMs ?? 10_000;
    const agents = botAgents();
    self.doFetchWithResponse = async (url, { timeoutMs: callTimeoutMs, ...options }) => {
      let result: FetchResult;
      try {
        // A call may ask for its own timeout (uploads); every other call gets the configured one.
        const ms = typeof callTimeoutMs === 'number' ? callTimeoutMs : timeoutMs;
        // Uploads (a FormData body) go through Client4's fetch, which writes the multipart form; every other call goes
        // over node:http (bot-http.ts), at a fraction of fetch's CPU.
        result =
          options.body === undefined || typeof options.body === 'string'
            ? await this.sendOverHttp(agents, url, options, ms)
            : await original(url, { ...options, ignoreStatus: true, signal: callSignal(ms) });
      } catch (error) {
        throw networkFailure(MATTERMOST, error);
      }
      if (!result.response.ok) {
        const body = result.data as { message?: string } | string | undefined;
        const detail = typeof body === 'object' && body?.message ? body.message : typeof body === 'string' ? body.slice(0, 200) : '';
        const failure = httpFailure(MATTERMOST, result.response.status, detail, result.headers.get('Retry-After'));
        rememberStatus(failure, result.response.status);
        throw failure;
      }
      return result;
    };
  }

  /** A call with Client4's headers (token, user agent, content type), remembering the server's version as Client4 does. */
  private async sendOverHttp(agents: BotAgents, url: string, options: Record<string, unknown>, timeoutMs: number): Promise<FetchResult> {
    const prepared = this.getOptions(options) as { method?: string; headers: Record<string, string>; body?: string };
    const result = await sendBotRequest(agents, url, { method: prepared.method ?? 'get', headers: prepared.headers, ...(prepared.body !== undefined ? { body: prepared.body } : {}) }, timeoutMs);
    const version = result.headers.get('X-Version-Id');
    if (version && !result.headers.get('Cache-Control')) this.serverVersion = version;
    const cluster = result.headers.get('X-Cluster-Id');
    if (cluster) this.clusterId = cluster;
    return result;
  }

  /** Client4 has no call for this one (opening an interactive dialog), so it is made here. */
  openDialog(request: { trigger_id: string; url: string; dialog: Record<string, unknown> }): Promise<{ status: string }> {
    return this.doFetch<{ status: string }>(`${this.getBaseRoute()}/actions/dialogs/open`, {
      method: 'post',
      body: JSON.stringify(request),
    });
  }

  /**
   * Client4's uploadFile with a timeout of its own: a large file takes longer than the ordinary request timeout. The
   * form is Client4's (channel_id first, then the files), sent as multipart by fetch.
   */
  uploadFileWithTimeout(form: FormData, timeoutMs: number): Promise<FileUploadResponse> {
    // Not an object literal in the call, so the extra `timeoutMs` (read by the fetch override above) type-checks.
    const options = { method: 'post', body: form, timeoutMs };
    return this.doFetch<FileUploadResponse>(this.getFilesRoute(), options);
  }
}
