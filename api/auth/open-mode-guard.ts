/**
 * Open mode (no API tokens, loopback only) trusts whoever can reach the port, and a web page in the user's browser can
 * reach it too: it can post a form or a `text/plain` fetch cross-site (no CORS preflight for those), and a DNS name
 * rebound to 127.0.0.1 makes the page same-origin with a foreign Host. So in open mode:
 *
 * - the Host header must be a loopback name (`localhost`, `127.0.0.1`, `[::1]`, with any port): DNS rebinding fails;
 * - a write must not come from another site (`Sec-Fetch-Site` other than same-origin/none, or an `Origin` that is
 *   not a loopback origin): cross-site posts fail;
 * - a write to the REST API with a body must be JSON (or YAML, for playbooks): forms and text/plain fail. Browsers
 *   send those two and multipart cross-site without asking; any other type needs a CORS preflight we never grant.
 *   (requireApiBodyType, below, refuses them in every mode, before any route: a body of another type is never read.)
 *
 * Mattermost's own calls (server to server: no Origin, no Sec-Fetch-Site) are not affected; their routes have their
 * own tokens and signatures.
 */
import type { RequestHandler } from 'express';
import { HttpError } from '../http-error.js';
import { isLoopbackHost } from './api-tokens.js';

/** A Host header (or an origin's host) without its port, for isLoopbackHost. */
function hostName(host: string): string {
  const bracketed = /^(\[[^\]]*\])(?::\d{1,5})?$/.exec(host);
  if (bracketed) return bracketed[1]!;
  return host.replace(/:\d{1,5}$/, '');
}

const isLoopbackHostHeader = (host: string) => host !== '' && isLoopbackHost(hostName(host));
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const API_BODY_TYPES = ['application/json', 'application/yaml', 'application/x-yaml', 'text/yaml'];

function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHostHeader(url.host);
  } catch {
    return false;
  }
}

function hasBody(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

export function openModeGuard(): RequestHandler {
  return (req, _res, next) => {
    const host = req.get('host') ?? '';
    if (!isLoopbackHostHeader(host)) {
      next(new HttpError(403, 'forbidden', `open mode answers requests addressed to localhost only, not Host "${host.slice(0, 100)}" (set API_TOKENS to serve other names)`));
      return;
    }
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    if ((site !== undefined && site !== 'same-origin' && site !== 'none') || (origin !== undefined && !isLoopbackOrigin(origin))) {
      next(new HttpError(403, 'forbidden', 'open mode refuses changes sent from another site (a web page cannot act on this API)'));
      return;
    }
    next();
  };
}

/**
 * Mount on /api/v1 in every mode: a write with a body must say it is JSON (or YAML, for playbooks). Any other type is
 * 415 rather than a body the JSON parser skips and a route then calls empty ("text: expected string").
 */
export function requireApiBodyType(): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || !hasBody(req.headers)) {
      next();
      return;
    }
    const playbooks = req.path === '/playbooks' || req.path.startsWith('/playbooks/');
    if (!req.is(playbooks ? API_BODY_TYPES : ['application/json'])) {
      const wanted = playbooks ? 'JSON or YAML (Content-Type: application/json or application/yaml)' : 'JSON (Content-Type: application/json)';
      next(new HttpError(415, 'unsupported_media_type', `this request's body must be ${wanted}, not ${req.get('content-type') ?? 'one without a Content-Type'}`));
      return;
    }
    next();
  };
}
