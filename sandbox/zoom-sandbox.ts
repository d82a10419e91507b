/**
 * A contract-faithful fake of Zoom's server-to-server OAuth token endpoint and the meetings API slice the incident
 * service drives through `@zoom/rivet` (MeetingsS2SAuthClient with `baseUrl: <sandbox>/v2`).
 *
 * Routes:
 *   POST   /oauth/token                   account_credentials grant; Basic client auth; params in the form body or query
 *   POST   /v2/users/{userId}/meetings    create (201); userId is an e-mail or 'me'
 *   GET    /v2/users/{userId}/meetings    list, paged with page_size / next_page_token
 *   GET    /v2/meetings/{meetingId}       read
 *   DELETE /v2/meetings/{meetingId}       delete (204)
 *   PUT    /v2/meetings/{meetingId}/status  {action:"end"|"recover"} (204)
 *   POST   /_sandbox/expire-tokens        make every issued token expired (inspection API)
 *
 * API errors have Zoom's `{code, message}` shape, which Rivet turns into `ApiResponseError("[status/code]: \"message\"")`;
 * the token endpoint answers in its own OAuth shape `{reason, error}`.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response, Router } from 'express';
import { SandboxServer, sendJson, type SandboxDefinition } from './sandbox-server.js';

export interface ZoomSandboxOptions {
  /** Defaults 'zoom-client', 'zoom-secret', 'zoom-account'. */
  clientId?: string;
  clientSecret?: string;
  accountId?: string;
  /** Default 3599, like Zoom. */
  tokenTtlSeconds?: number;
  /** Users (e-mail) who may host meetings; 'me' means the first. Default ['host@example.com']. */
  users?: string[];
}

export interface SandboxMeeting {
  id: number;
  uuid: string;
  hostEmail: string;
  topic: string;
  type: number;
  agenda: string;
  startTime: string;
  duration: number;
  timezone: string;
  createdAt: string;
  joinUrl: string;
  startUrl: string;
  password: string;
  /** The numeric passcode for phone and H.323 joiners. */
  pstnPassword: string;
  settings: Record<string, unknown>;
  /** 'ended' after PUT status {action:"end"}; 'deleted' after DELETE (until {action:"recover"}). */
  state: 'waiting' | 'ended' | 'deleted';
}

export interface ZoomSandbox {
  server: SandboxServer;
  meetings(): SandboxMeeting[];
  tokensIssued(): number;
  expireTokens(): void;
}

const SCOPE = 'meeting:write:meeting:admin meeting:read:meeting:admin';
const TOPIC_MAX = 200;
const AGENDA_MAX = 2000;
const PAGE_SIZE_DEFAULT = 30;
const PAGE_SIZE_MAX = 300;
const MEETING_TYPES = [1, 2, 3, 8];
const DEFAULT_SETTINGS: Record<string, unknown> = {
  host_video: false,
  participant_video: false,
  join_before_host: false,
  mute_upon_entry: false,
  waiting_room: true,
  approval_type: 2,
  audio: 'voip',
  auto_recording: 'none',
};

/** Zoom prints times without milliseconds, e.g. 2026-01-01T10:00:00Z. */
function zoomTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function zoomError(code: number, message: string): { code: number; message: string } {
  return { code, message };
}

/** Zoom's shape for a request body it refuses: code 300 with one entry per bad field. */
function validationError(errors: Array<{ field: string; message: string }>): Record<string, unknown> {
  return { code: 300, message: 'Validation Failed.', errors };
}

function randomDigits(length: number): string {
  return Array.from(randomBytes(length), (b) => String(b % 10)).join('');
}

function randomPassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from(randomBytes(6), (b) => alphabet[b % alphabet.length]).join('');
}

/** A stable 22-character user id per e-mail, shaped like Zoom's. */
function userIdFor(email: string): string {
  return createHash('sha256').update(email).digest('base64url').slice(0, 22);
}

function validateCreate(body: Record<string, unknown>): Array<{ field: string; message: string }> {
  const errors: Array<{ field: string; message: string }> = [];
  const { topic, type, duration, start_time: startTime, agenda, settings } = body;
  if (topic !== undefined && (typeof topic !== 'string' || topic.length > TOPIC_MAX)) errors.push({ field: 'topic', message: `Topic must be a string of at most ${TOPIC_MAX} characters.` });
  if (type !== undefined && !MEETING_TYPES.includes(type as number)) errors.push({ field: 'type', message: 'Invalid field.' });
  if (duration !== undefined && (!Number.isInteger(duration) || (duration as number) < 0)) errors.push({ field: 'duration', message: 'Invalid field.' });
  if (startTime !== undefined && (typeof startTime !== 'string' || Number.isNaN(Date.parse(startTime)))) errors.push({ field: 'start_time', message: 'Invalid field.' });
  if (agenda !== undefined && (typeof agenda !== 'string' || agenda.length > AGENDA_MAX)) errors.push({ field: 'agenda', message: `Agenda must be a string of at most ${AGENDA_MAX} characters.` });
  if (settings !== undefined && (typeof settings !== 'object' || settings === null || Array.isArray(settings))) errors.push({ field: 'settings', message: 'Invalid field.' });
  return errors;
}

export function createZoomSandbox(options: ZoomSandboxOptions = {}): ZoomSandbox {
  const clientId = options.clientId ?? 'zoom-client';
  const clientSecret = options.clientSecret ?? 'zoom-secret';
  const accountId = options.accountId ?? 'zoom-account';
  const ttlSeconds = options.tokenTtlSeconds ?? 3599;
  const users = options.users ?? ['host@example.com'];

  /** Token -> expiry (ms since epoch). */
  let tokens = new Map<string, number>();
  let issued = 0;
  let meetings: SandboxMeeting[] = [];
  let nextMeetingId = 81_234_567_890;

  const origin = (req: Request): string => `${req.protocol}://${req.get('host') ?? 'localhost'}`;

  /** 'me' is the first user; an e-mail matches case-insensitively, as Zoom does; Zoom user ids work too. */
  function resolveUser(userId: string): string | undefined {
    if (userId === 'me') return users[0];
    return users.find((u) => u.toLowerCase() === userId.toLowerCase() || userIdFor(u) === userId);
  }

  function clientCredentialsValid(header: string | undefined): boolean {
    const match = /^basic\s+(\S+)$/i.exec(header ?? '');
    return match !== null && Buffer.from(match[1] as string, 'base64').toString('utf8') === `${clientId}:${clientSecret}`;
  }

  function issueToken(req: Request, res: Response): void {
    if (!clientCredentialsValid(req.get('authorization'))) {
      sendJson(res, 401, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
      return;
    }
    // Rivet sends the grant in the form body; Zoom's docs show it in the query string. Accept both.
    const param = (name: string): unknown => (req.body as Record<string, unknown> | undefined)?.[name] ?? req.query[name];
    if (param('grant_type') !== 'account_credentials') {
      sendJson(res, 400, { reason: 'Unsupported grant type', error: 'unsupported_grant_type' });
      return;
    }
    if (param('account_id') !== accountId) {
      sendJson(res, 400, { reason: 'Invalid account_id', error: 'invalid_request' });
      return;
    }
    const token = `sandbox.${randomBytes(24).toString('base64url')}`;
    tokens.set(token, Date.now() + ttlSeconds * 1000);
    issued += 1;
    sendJson(res, 200, { access_token: token, token_type: 'bearer', expires_in: ttlSeconds, scope: SCOPE, api_url: origin(req) });
  }

  function requireToken(req: Request, res: Response, next: NextFunction): void {
    const match = /^bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const expiry = match ? tokens.get(match[1] as string) : undefined;
    if (expiry === undefined) {
      sendJson(res, 401, zoomError(124, 'Invalid access token.'));
      return;
    }
    if (expiry <= Date.now()) {
      sendJson(res, 401, zoomError(124, 'Access token is expired.'));
      return;
    }
    next();
  }

  /** Finds the path's meeting (deleted ones only when asked), answering Zoom's 404 itself when there is none. */
  function meetingOr404(req: Request, res: Response, includeDeleted = false): SandboxMeeting | undefined {
    const id = String(req.params.meetingId);
    const meeting = meetings.find((m) => String(m.id) === id && (includeDeleted || m.state !== 'deleted'));
    if (!meeting) sendJson(res, 404, zoomError(3001, `Meeting does not exist: ${id}.`));
    return meeting;
  }

  function meetingJson(meeting: SandboxMeeting): Record<string, unknown> {
    return {
      uuid: meeting.uuid,
      id: meeting.id,
      host_id: userIdFor(meeting.hostEmail),
      host_email: meeting.hostEmail,
      topic: meeting.topic,
      type: meeting.type,
      // Zoom reports only "waiting" or "started"; an ended meeting can be started again, so it is "waiting".
      status: 'waiting',
      start_time: meeting.startTime,
      duration: meeting.duration,
      timezone: meeting.timezone,
      agenda: meeting.agenda,
      created_at: meeting.createdAt,
      start_url: meeting.startUrl,
      join_url: meeting.joinUrl,
      password: meeting.password,
      h323_password: meeting.pstnPassword,
      pstn_password: meeting.pstnPassword,
      encrypted_password: Buffer.from(meeting.password).toString('base64url'),
      settings: meeting.settings,
      pre_schedule: false,
    };
  }

  function createMeeting(req: Request, res: Response): void {
    const userId = String(req.params.userId);
    const host = resolveUser(userId);
    if (!host) {
      sendJson(res, 404, zoomError(1001, `User does not exist: ${userId}.`));
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const errors = validateCreate(body);
    if (errors.length > 0) {
      sendJson(res, 400, validationError(errors));
      return;
    }
    const id = nextMeetingId++;
    const password = randomPassword();
    const createdAt = zoomTime();
    const meeting: SandboxMeeting = {
      id,
      uuid: randomBytes(16).toString('base64'),
      hostEmail: host,
      topic: (body.topic as string | undefined) ?? 'Zoom meeting',
      type: (body.type as number | undefined) ?? 2,
      agenda: (body.agenda as string | undefined) ?? '',
      startTime: typeof body.start_time === 'string' ? zoomTime(new Date(body.start_time)) : createdAt,
      duration: (body.duration as number | undefined) ?? 60,
      timezone: (body.timezone as string | undefined) ?? 'UTC',
      createdAt,
      joinUrl: `${origin(req)}/j/${id}?pwd=${Buffer.from(password).toString('base64url')}`,
      startUrl: `${origin(req)}/s/${id}?zak=${randomBytes(12).toString('base64url')}`,
      password,
      pstnPassword: randomDigits(6),
      settings: { ...DEFAULT_SETTINGS, ...((body.settings as Record<string, unknown> | undefined) ?? {}) },
      state: 'waiting',
    };
    meetings.push(meeting);
    sendJson(res, 201, meetingJson(meeting));
  }

  function listMeetings(req: Request, res: Response): void {
    const userId = String(req.params.userId);
    const host = resolveUser(userId);
    if (!host) {
      sendJson(res, 404, zoomError(1001, `User does not exist: ${userId}.`));
      return;
    }
    const requestedSize = Number(req.query.page_size ?? PAGE_SIZE_DEFAULT);
    const pageSize = Number.isInteger(requestedSize) && requestedSize > 0 ? Math.min(requestedSize, PAGE_SIZE_MAX) : PAGE_SIZE_DEFAULT;
    const offset = decodePageToken(req.query.next_page_token);
    if (offset === undefined) {
      sendJson(res, 400, zoomError(300, 'The next page token is invalid or expired.'));
      return;
    }
    const own = meetings.filter((m) => m.hostEmail === host && m.state !== 'deleted');
    const page = own.slice(offset, offset + pageSize);
    const more = offset + pageSize < own.length;
    sendJson(res, 200, {
      page_size: pageSize,
      total_records: own.length,
      next_page_token: more ? encodePageToken(offset + pageSize) : '',
      meetings: page.map((m) => ({
        uuid: m.uuid,
        id: m.id,
        host_id: userIdFor(m.hostEmail),
        topic: m.topic,
        type: m.type,
        start_time: m.startTime,
        duration: m.duration,
        timezone: m.timezone,
        agenda: m.agenda,
        created_at: m.createdAt,
        join_url: m.joinUrl,
      })),
    });
  }

  function updateStatus(req: Request, res: Response): void {
    const action = (req.body as { action?: unknown } | undefined)?.action;
    if (action !== 'end' && action !== 'recover') {
      sendJson(res, 400, validationError([{ field: 'action', message: "Must be one of 'end', 'recover'." }]));
      return;
    }
    // Only a deleted meeting can be recovered, and only a live one ended.
    const meeting = meetingOr404(req, res, action === 'recover');
    if (!meeting) return;
    meeting.state = action === 'end' ? 'ended' : 'waiting';
    res.status(204).end();
  }

  const definition: SandboxDefinition = {
    name: 'zoom',
    errorBody: (status, message) => zoomError(status, message),
    routes(router: Router) {
      router.post('/oauth/token', issueToken);
      router.use('/v2', requireToken);
      router.post('/v2/users/:userId/meetings', createMeeting);
      router.get('/v2/users/:userId/meetings', listMeetings);
      router.get('/v2/meetings/:meetingId', (req, res) => {
        const meeting = meetingOr404(req, res);
        if (meeting) sendJson(res, 200, meetingJson(meeting));
      });
      router.delete('/v2/meetings/:meetingId', (req, res) => {
        const meeting = meetingOr404(req, res);
        if (!meeting) return;
        meeting.state = 'deleted';
        res.status(204).end();
      });
      router.put('/v2/meetings/:meetingId/status', updateStatus);
    },
    inspectionRoutes(router: Router) {
      router.post('/expire-tokens', (_req, res) => sendJson(res, 200, { expired: expireAll() }));
    },
    state: () => ({ meetings, tokensIssued: issued, tokensLive: [...tokens.values()].filter((expiry) => expiry > Date.now()).length }),
    reset() {
      tokens = new Map();
      issued = 0;
      meetings = [];
      nextMeetingId = 81_234_567_890;
    },
  };

  function expireAll(): number {
    const past = Date.now() - 1;
    for (const token of tokens.keys()) tokens.set(token, past);
    return tokens.size;
  }

  return {
    server: new SandboxServer(definition),
    meetings: () => structuredClone(meetings),
    tokensIssued: () => issued,
    expireTokens: () => void expireAll(),
  };
}

/** Page tokens are opaque to clients; here they carry the offset of the next page. */
function encodePageToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodePageToken(token: unknown): number | undefined {
  if (token === undefined || token === '') return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(String(token), 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}
