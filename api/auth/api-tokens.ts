/**
 * API tokens for the programmatic REST API (/api/v1). A token is a random secret a caller (a script, Alertmanager, a
 * person's shell) sends as `Authorization: Bearer <token>`; the configuration (API_TOKENS) holds only its SHA-256, next
 * to the caller's name and scope:
 *
 *     API_TOKENS=alertmanager:write:sha256:<64 hex>,grafana:read:sha256:<64 hex>
 *
 * Scopes nest: `admin` ⊃ `write` ⊃ `read`. Several entries may share a name (and scope) so a token can be rotated
 * without downtime.
 *
 * A token acts as itself: its name is the actor of every command it sends. Acting for a person (naming another
 * `actor` or `reporter` in the body) takes the `act-for` capability, written after the scope (`write+act-for`):
 * for the Mattermost bridge and trusted automation only. Sending alerts (POST /api/v1/alerts...) takes the `alerts`
 * capability (`write+alerts`): alert rules, not the caller, pick the playbook (a restricted one included) and the
 * incident a delivery joins, so only monitoring may use that door, never a person's token or web session. The timeline then records the person and the token. With no tokens at all the API runs in open mode, which is only allowed on a loopback address
 * (`decideApiAccess`); the caller is then `anonymous` with the admin scope.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { USERNAME_PATTERN } from '../../domain/people.js';
import { HttpError } from '../http-error.js';

export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** One configured token: who it names, what it may do, and the SHA-256 of the secret (lower-case hex). */
export interface ApiToken {
  name: string;
  scope: Scope;
  /** May name someone else as the actor of a command (or the reporter of an incident). */
  actFor?: boolean;
  /** May send alerts (monitoring: Alertmanager, generic alert sources). */
  alerts?: boolean;
  sha256: string;
}

/** Who is calling, as the routes see it (`res.locals.caller`). */
export interface Caller {
  name: string;
  scope: Scope;
  actFor?: boolean;
  alerts?: boolean;
  /**
   * A person Mattermost vouched for (signed in to the web app with Mattermost): the same rules as in chat then apply,
   * changing an incident needs its channel's membership unless they are an incident admin.
   */
  person?: { id: string; admin: boolean };
}

/** The caller in open mode (no tokens configured, loopback only): the body names the actor, as on one's own machine. */
export const ANONYMOUS: Caller = Object.freeze({ name: 'anonymous', scope: 'admin', actFor: true, alerts: true });

/** The capabilities, written after the scope in an API_TOKENS entry: `write+act-for`, `write+alerts`. */
export const ACT_FOR = 'act-for';
export const ALERTS = 'alerts';
const CAPABILITIES: readonly string[] = [ACT_FOR, ALERTS];

export const TOKEN_PREFIX = 'ict_';
export const ENTRY_FORMAT = '<name>:<scope>[+act-for][+alerts]:sha256:<64 hex digits>';
export const UNAUTHORIZED_MESSAGE = 'missing or unknown API token; send Authorization: Bearer <token>';

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Whether a caller with scope `has` may do what needs `needs` (admin ⊃ write ⊃ read). */
export function scopeAllows(has: Scope, needs: Scope): boolean {
  return SCOPES.indexOf(has) >= SCOPES.indexOf(needs);
}

/** Why a caller name is unusable, or undefined when it is fine. Never repeats the name (it could be a pasted secret). */
export function callerNameProblem(name: string): string | undefined {
  if (!USERNAME_PATTERN.test(name)) {
    return 'the name must be a caller name like "ci-bot" or a Mattermost username (lower-case letters, digits, ".", "-", "_"; at most 64)';
  }
  if (name === ANONYMOUS.name) return '"anonymous" is reserved for open mode; pick another name';
  return undefined;
}

/** SHA-256 of a token, lower-case hex: what API_TOKENS holds. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new token: `ict_` and 32 random bytes in base64url. */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The API_TOKENS entry for a token. */
export function tokenEntry(name: string, scope: Scope, token: string, options: { actFor?: boolean; alerts?: boolean } = {}): string {
  return `${name}:${scope}${options.actFor ? `+${ACT_FOR}` : ''}${options.alerts ? `+${ALERTS}` : ''}:sha256:${hashToken(token)}`;
}

/**
 * Parses API_TOKENS (comma-separated entries `<name>:<scope>:sha256:<hex>`). Problems name the entry by its position
 * (1 = first) and, once the name is known to be a plain name, by its name; they never repeat anything that could be a
 * secret.
 */
export function parseApiTokens(value: string | undefined): { tokens: ApiToken[]; problems: string[] } {
  const tokens: ApiToken[] = [];
  const problems: string[] = [];
  const byHash = new Map<string, number>();
  const byName = new Map<string, { position: number; scope: Scope }>();
  (value ?? '').split(',').forEach((raw, index) => {
    const entry = raw.trim();
    if (!entry) return;
    const position = index + 1;
    const parts = entry.split(':');
    const holdsToken = new RegExp(`(^|:)${TOKEN_PREFIX}[A-Za-z0-9_-]{32,}`).test(entry);
    if (holdsToken || parts.length !== 4) {
      problems.push(
        `entry ${position}: expected ${ENTRY_FORMAT}` +
          (holdsToken ? ' (it looks like it holds a token itself; put only its SHA-256 here: npm run api:token prints the entry)' : ''),
      );
      return;
    }
    const [rawName, scope, algorithm, hex] = parts as [string, string, string, string];
    const name = rawName.trim().toLowerCase();
    const nameProblem = callerNameProblem(name);
    if (nameProblem) {
      problems.push(`entry ${position}: ${nameProblem}`);
      return;
    }
    const label = `entry ${position} (${name})`;
    const [scopeName = '', ...capabilities] = scope.trim().toLowerCase().split('+');
    if (!isScope(scopeName)) {
      problems.push(`${label}: the scope must be read, write or admin`);
      return;
    }
    if (capabilities.some((capability) => !CAPABILITIES.includes(capability))) {
      problems.push(`${label}: after the scope only "+${ACT_FOR}" (acting for other people) and "+${ALERTS}" (sending alerts) may follow`);
      return;
    }
    if (capabilities.includes(ALERTS) && !scopeAllows(scopeName, 'write')) {
      problems.push(`${label}: "+${ALERTS}" needs the write scope (an alert starts and changes incidents)`);
      return;
    }
    const actFor = capabilities.includes(ACT_FOR);
    const alerts = capabilities.includes(ALERTS);
    const sha256 = hex.trim().toLowerCase();
    if (algorithm.trim().toLowerCase() !== 'sha256' || !/^[0-9a-f]{64}$/.test(sha256)) {
      problems.push(`${label}: expected sha256:<64 hex digits> after the scope: the SHA-256 of the token, never the token itself`);
      return;
    }
    const sameHash = byHash.get(sha256);
    if (sameHash !== undefined) {
      problems.push(`${label}: the same token as entry ${sameHash}; every token must be different`);
      return;
    }
    const sameName = byName.get(name);
    if (sameName && sameName.scope !== scopeName) {
      problems.push(
        `${label}: entry ${sameName.position} gives "${name}" the scope ${sameName.scope}, this one ${scopeName}; ` +
          'entries with one name (to rotate its token) must have one scope',
      );
      return;
    }
    byHash.set(sha256, position);
    if (!sameName) byName.set(name, { position, scope: scopeName });
    tokens.push({ name, scope: scopeName, ...(actFor ? { actFor } : {}), ...(alerts ? { alerts } : {}), sha256 });
  });
  return { tokens, problems };
}

/**
 * The configured token a presented one is, or undefined. The token's hash is compared with every configured hash in
 * constant time, and the loop never stops early, so the time taken does not tell which entry (if any) matched.
 */
export function findToken(presented: string | undefined, tokens: readonly ApiToken[]): ApiToken | undefined {
  if (!presented) return undefined;
  const given = createHash('sha256').update(presented, 'utf8').digest();
  let found: ApiToken | undefined;
  for (const token of tokens) {
    const matches = timingSafeEqual(given, Buffer.from(token.sha256, 'hex'));
    found = matches && !found ? token : found;
  }
  return found;
}

/** The caller a configured token stands for. */
export function callerOfToken(token: ApiToken): Caller {
  return { name: token.name, scope: token.scope, ...(token.actFor ? { actFor: true } : {}), ...(token.alerts ? { alerts: true } : {}) };
}

/** The caller a presented token belongs to, or undefined (findToken). */
export function verifyToken(presented: string | undefined, tokens: readonly ApiToken[]): Caller | undefined {
  const found = findToken(presented, tokens);
  return found ? callerOfToken(found) : undefined;
}

/** Addresses only this machine can reach: open mode (no tokens) is allowed there and nowhere else. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || bare === '::ffff:127.0.0.1';
}

export const OPEN_MODE_WARNING = 'the REST API has no tokens (API_TOKENS); anyone on this machine can use it';

export type ApiAccess =
  | { mode: 'tokens' }
  | { mode: 'open'; warning: string }
  | { mode: 'refused'; reason: string };

/** Tokens configured: they are required. None: open mode on loopback, a refusal to start anywhere else. */
export function decideApiAccess(host: string, tokenCount: number): ApiAccess {
  if (tokenCount > 0) return { mode: 'tokens' };
  if (isLoopbackHost(host)) return { mode: 'open', warning: OPEN_MODE_WARNING };
  return {
    mode: 'refused',
    reason:
      `the REST API would listen on ${host} without API tokens, so anyone who reaches it could change incidents and playbooks. ` +
      'Set API_TOKENS (npm run api:token -- <name> <scope> makes a token and its entry), or keep API_HOST on 127.0.0.1.',
  };
}

/** The caller `authenticate` found, for route handlers. */
export function callerOf(res: Response): Caller | undefined {
  const caller = (res.locals as { caller?: Caller }).caller;
  return caller && typeof caller.name === 'string' && isScope(caller.scope) ? caller : undefined;
}

function unauthorized(res: Response): HttpError {
  res.set('WWW-Authenticate', 'Bearer');
  return new HttpError(401, 'unauthorized', UNAUTHORIZED_MESSAGE);
}

/**
 * Reads `Authorization: Bearer <token>` and sets `res.locals.caller` (unless a web session already did); a missing, malformed or unknown token gets 401
 * (one message for all, so a wrong token cannot be told from a missing one). No tokens: open mode, every caller is
 * `anonymous` with the admin scope (the server refuses that off loopback).
 */
export function authenticate(options: { tokens: readonly ApiToken[] }): RequestHandler {
  const tokens = [...options.tokens];
  return (req, res, next) => {
    // The web app's session (api/auth/web-session-caller.ts, mounted before) has already said who calls.
    if (callerOf(res)) {
      next();
      return;
    }
    if (tokens.length === 0) {
      res.locals.caller = ANONYMOUS;
      next();
      return;
    }
    const presented = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(req.get('authorization') ?? '')?.[1];
    const caller = verifyToken(presented, tokens);
    if (!caller) {
      next(unauthorized(res));
      return;
    }
    res.locals.caller = caller;
    next();
  };
}

/** 403 unless the caller's scope includes `scope` (401 when nobody authenticated the request). */
export function requireScope(scope: Scope): RequestHandler {
  return (_req, res, next) => {
    const caller = callerOf(res);
    if (!caller) {
      next(unauthorized(res));
      return;
    }
    if (!scopeAllows(caller.scope, scope)) {
      next(new HttpError(403, 'forbidden', `this needs the ${scope} scope; the token of "${caller.name}" has ${caller.scope}`));
      return;
    }
    next();
  };
}

/** The scope a request needs by its method: reading (GET, HEAD, OPTIONS) needs `read`, anything else `write`. */
export function scopeForMethod(method: string): Scope {
  return ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) ? 'read' : 'write';
}

/** requireScope with the scope the request's method needs. */
export function requireScopeForMethod(): RequestHandler {
  const read = requireScope('read');
  const write = requireScope('write');
  return (req, res, next) => (scopeForMethod(req.method) === 'read' ? read : write)(req, res, next);
}
