/**
 * The meeting port on Zoom (Server-to-Server OAuth) through @zoom/rivet. Rivet hard-codes the OAuth URL
 * (https://zoom.us), so this adapter gives it a token store that fetches the account-credentials token itself from a
 * configurable OAuth URL and caches it until a minute before it expires; Rivet then never fetches on its own. A 401 from
 * the API (token revoked or expired early) drops the cached token and retries the call once.
 */
import { MeetingsS2SAuthClient, isCoreError } from '@zoom/rivet/meetings';
import { IntegrationError } from '../../activities/ports/integration-error.js';
import { httpFailure, networkFailure, type FailureSource } from '../http-failure.js';
import type { Meeting, MeetingPort } from '../../activities/ports/meeting.js';
import { callSignal } from '../../activities/ports/cancellation.js';

const ZOOM: FailureSource = { system: 'meetings', service: 'Zoom' };

export interface ZoomConfig {
  accountId: string;
  clientId: string;
  clientSecret: string;
  /** API base, default https://api.zoom.us/v2 */
  apiUrl?: string;
  /** OAuth base, default https://zoom.us (the token endpoint is <oauthUrl>/oauth/token) */
  oauthUrl?: string;
  /**
   * The user (e-mail or ID) who hosts incident meetings unless the request names one (a playbook's `zoom.host`); "me" is
   * the account owner for S2S apps.
   */
  hostUser?: string;
  timeoutMs?: number;
}

interface StoredToken {
  accessToken: string;
  expirationTimeIso: string;
  scopes: string[];
}

/** Keeps the access token; refetches when absent, within 60 s of expiry, or after `invalidate()`. */
export class ZoomTokenStore {
  private token: StoredToken | undefined;
  private inFlight: Promise<StoredToken> | undefined;
  /** How many tokens were fetched: visible in tests. */
  fetched = 0;

  constructor(private readonly config: ZoomConfig) {}

  invalidate(): void {
    this.token = undefined;
  }

  getLatestToken(): Promise<StoredToken> {
    if (this.token && Date.parse(this.token.expirationTimeIso) - Date.now() > 60_000) return Promise.resolve(this.token);
    this.inFlight ??= this.fetchToken().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Rivet calls this after fetching a token itself, which our store never lets it do. */
  storeToken(token: StoredToken): void {
    this.token = token;
  }

  private async fetchToken(): Promise<StoredToken> {
    const { accountId, clientId, clientSecret } = this.config;
    const oauthUrl = (this.config.oauthUrl ?? 'https://zoom.us').replace(/\/+$/, '');
    let response: Response;
    try {
      response = await fetch(`${oauthUrl}/oauth/token`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: new URLSearchParams({ grant_type: 'account_credentials', account_id: accountId }).toString(),
        signal: callSignal(this.config.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw networkFailure(ZOOM, error);
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      const detail = String(body.reason ?? body.message ?? body.error ?? 'token request refused');
      throw httpFailure(ZOOM, response.status, `OAuth token: ${detail}`, response.headers.get('Retry-After'));
    }
    if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
      throw new IntegrationError('meetings', 'Zoom OAuth answered without access_token or expires_in', false, 'BadResponse');
    }
    this.fetched += 1;
    this.token = {
      accessToken: body.access_token,
      expirationTimeIso: new Date(Date.now() + body.expires_in * 1000).toISOString(),
      scopes: typeof body.scope === 'string' ? body.scope.split(' ') : [],
    };
    return this.token;
  }
}

/** "[404/1001]: "User does not exist"" -> 404 and the text. */
function classify(error: unknown): IntegrationError {
  if (error instanceof IntegrationError) return error;
  if (isCoreError(error, 'ApiResponseError')) {
    const match = /^\[(\d{3})(?:\/[^\]]*)?\]:\s*(.*)$/s.exec((error as Error).message);
    if (match) return httpFailure(ZOOM, Number(match[1]), match[2]!.replace(/^"|"$/g, ''));
  }
  return networkFailure(ZOOM, error);
}

export class ZoomMeetings implements MeetingPort {
  readonly tokens: ZoomTokenStore;
  private readonly zoom: MeetingsS2SAuthClient;
  private readonly host: string;

  constructor(config: ZoomConfig) {
    this.tokens = new ZoomTokenStore(config);
    this.host = config.hostUser ?? 'me';
    this.zoom = new MeetingsS2SAuthClient({
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      accountId: config.accountId,
      disableReceiver: true,
      tokenStore: this.tokens,
      // Not in Rivet's option type, but honoured at runtime: where API calls go.
      baseUrl: (config.apiUrl ?? 'https://api.zoom.us/v2').replace(/\/+$/, ''),
      timeout: config.timeoutMs ?? 10_000,
    } as ConstructorParameters<typeof MeetingsS2SAuthClient>[0]);
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (first) {
      const failure = classify(first);
      if (failure.kind !== 'Unauthorized') throw failure;
      this.tokens.invalidate();
      try {
        return await work();
      } catch (second) {
        throw classify(second);
      }
    }
  }

  private static userPath(host: string): string {
    // Rivet puts path parameters into the URL as they are.
    return encodeURIComponent(host);
  }

  /**
   * A call on the host's meetings (`/users/{userId}/meetings`). There a 404 means Zoom has no such user (code 1001):
   * a wrong `zoom.host` in the playbook or a wrong ZOOM_HOST_USER, which no retry fixes; the failure names the host.
   */
  private async asHost<T>(host: string, work: (userId: string) => Promise<T>): Promise<T> {
    try {
      return await this.call(() => work(ZoomMeetings.userPath(host)));
    } catch (error) {
      if (error instanceof IntegrationError && error.kind === 'NotFound') {
        throw new IntegrationError('meetings', `Zoom has no user "${host}" to host the meeting (${error.message})`, false, 'NotFound');
      }
      throw error;
    }
  }

  async findMeetingByKey(key: string, host?: string): Promise<Meeting | undefined> {
    const marker = `[${key}]`;
    let nextPageToken: string | undefined;
    for (let page = 0; page < 10; page++) {
      const { data = {} } = await this.asHost(host ?? this.host, (userId) =>
        this.zoom.endpoints.meetings.listMeetings({
          path: { userId },
          query: { type: 'scheduled', page_size: 300, ...(nextPageToken ? { next_page_token: nextPageToken } : {}) },
        }),
      );
      const meeting = data.meetings?.find((m) => m.agenda?.includes(marker));
      if (meeting?.id !== undefined && meeting.join_url) return { id: String(meeting.id), joinUrl: meeting.join_url };
      nextPageToken = data.next_page_token || undefined;
      if (!nextPageToken) return undefined;
    }
    return undefined;
  }

  async createMeeting(request: { topic: string; agenda: string; key: string; host?: string }): Promise<Meeting> {
    const { data = {} } = await this.asHost(request.host ?? this.host, (userId) =>
      this.zoom.endpoints.meetings.createMeeting({
        path: { userId },
        body: {
          topic: request.topic.slice(0, 200),
          type: 2,
          start_time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          duration: 60,
          timezone: 'UTC',
          // The key in the agenda is what findMeetingByKey looks for after a retry.
          agenda: `${request.agenda}\n[${request.key}]`.slice(-2000),
          settings: { join_before_host: true, waiting_room: false },
        },
      }),
    );
    if (data.id === undefined || !data.join_url) {
      throw new IntegrationError('meetings', 'Zoom created a meeting without id or join_url', false, 'BadResponse');
    }
    return { id: String(data.id), joinUrl: data.join_url };
  }
}
