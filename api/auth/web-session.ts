/**
 * The web app's session: a cookie the API signs (HMAC-SHA256 with WEB_SESSION_SECRET), so no session table is needed and
 * any API replica with the same secret accepts it. It holds who signed in and how, never a secret:
 *
 * - `via: 'mattermost'`: the Mattermost user ID that Mattermost's OAuth answered. Every request asks Mattermost again
 *   (through the chat identity cache, a minute at most) who that ID is, so a deactivated or demoted person loses
 *   their rights as fast as in chat.
 * - `via: 'token'`: the first 16 hex digits of the API token's SHA-256 and its name. Every request checks that a token
 *   with that hash and name is still configured, so removing a token from API_TOKENS ends its web sessions too.
 *
 * The cookie is HttpOnly (page scripts cannot read it), SameSite=Lax (Strict would drop it on the redirect back from
 * Mattermost's sign-in page), Secure when the API is served over https, and lives 12 hours. Because a browser sends it
 * with any request to this site, a change made with it also needs the CSRF token the session carries
 * (`X-CSRF-Token`, which only our own page can read from /api/v1/me), and must not come from another site.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const SESSION_COOKIE = 'ic_session';
export const CSRF_HEADER = 'X-CSRF-Token';
/** How long a sign-in lasts. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/** A session secret shorter than this is refused (it signs every session). */
export const MIN_SESSION_SECRET_LENGTH = 32;

const payloadSchema = z.discriminatedUnion('via', [
  z.object({
    v: z.literal(1),
    via: z.literal('mattermost'),
    /** The Mattermost user ID; the username and rights are asked of Mattermost on each request. */
    mmid: z.string().regex(/^[a-z0-9]{26}$/),
    csrf: z.string().min(20).max(64),
    iat: z.number().int(),
    exp: z.number().int(),
  }),
  z.object({
    v: z.literal(1),
    via: z.literal('token'),
    /** The token's name, and the start of its SHA-256: enough to find it again, nothing to present as a token. */
    sub: z.string().min(1).max(64),
    tok: z.string().regex(/^[0-9a-f]{16}$/),
    csrf: z.string().min(20).max(64),
    iat: z.number().int(),
    exp: z.number().int(),
  }),
]);

export type WebSession = z.infer<typeof payloadSchema>;
export type NewWebSession = { via: 'mattermost'; mmid: string } | { via: 'token'; sub: string; tok: string };

function signature(purpose: string, encoded: string, secret: string): Buffer {
  // The purpose is signed too, so a value sealed for one cookie can never be passed off as another.
  return createHmac('sha256', secret).update(`${purpose}.v1.${encoded}`).digest();
}

/** A JSON value and its HMAC, both base64url: readable by anyone who holds it, changeable by nobody without the secret. */
export function sealValue(purpose: string, value: unknown, secret: string): string {
  const encoded = Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  return `${encoded}.${signature(purpose, encoded, secret).toString('base64url')}`;
}

/** The JSON value a sealed string carries, or undefined when it is forged, altered, sealed for another purpose or malformed. */
export function openValue(purpose: string, sealed: string | undefined, secret: string): unknown {
  if (!sealed || sealed.length > 2_048) return undefined;
  const [encoded, mac, ...rest] = sealed.split('.');
  if (!encoded || !mac || rest.length > 0) return undefined;
  const expected = signature(purpose, encoded, secret);
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A fresh session for someone just signed in: a new CSRF token, valid for SESSION_TTL_MS. */
export function newSession(who: NewWebSession, now = Date.now()): WebSession {
  return { v: 1, ...who, csrf: randomBytes(24).toString('base64url'), iat: now, exp: now + SESSION_TTL_MS } as WebSession;
}

/** The cookie value. */
export function sealSession(session: WebSession, secret: string): string {
  return sealValue(SESSION_COOKIE, session, secret);
}

/** The session a cookie value carries, or undefined when it is forged, altered, malformed or expired. */
export function openSession(value: string | undefined, secret: string, now = Date.now()): WebSession | undefined {
  const session = payloadSchema.safeParse(openValue(SESSION_COOKIE, value, secret));
  if (!session.success || session.data.exp <= now || session.data.iat > now + 60_000) return undefined;
  return session.data;
}

/** Whether a presented CSRF token is the session's, compared in constant time. */
export function csrfMatches(session: WebSession, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(session.csrf, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** One cookie's value from a Cookie header (the first of that name), or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export interface CookieOptions {
  /** Secure cookies (the API is served over https): a browser then never sends them over plain http. */
  secure: boolean;
}

/** The Set-Cookie header for a value, or for clearing it (`value` undefined). */
export function setCookieHeader(name: string, value: string | undefined, options: CookieOptions & { path?: string; maxAgeSeconds?: number }): string {
  const parts = [`${name}=${value ?? ''}`, `Path=${options.path ?? '/'}`, 'HttpOnly', 'SameSite=Lax'];
  parts.push(`Max-Age=${value === undefined ? 0 : (options.maxAgeSeconds ?? Math.floor(SESSION_TTL_MS / 1000))}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
