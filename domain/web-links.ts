/**
 * Links people click: only http and https. A `javascript:` (or `data:`, `file:`) link stored in a note or an alert would
 * run in the browser of whoever opens it from the timeline, the web app or an export.
 */
import { z } from 'zod';
import { IncidentCommandError } from './errors.js';

export function isWebLink(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const WEB_LINK_MESSAGE = 'expected an http:// or https:// URL';

/** An optional link field of an incoming payload (alerts): http(s) or refused. */
export const webLinkSchema = z.string().trim().max(2000).refine(isWebLink, WEB_LINK_MESSAGE);

/**
 * Refuses a command whose `link` is not a web link. Run where a command comes in (the REST route, the Update's
 * validator), not in the command's own schema: the schema is applied again when an incident replays its history,
 * and a link an older version accepted must replay the same.
 */
export function checkCommandLinks(name: string, payload: unknown): void {
  const link = (payload as { link?: unknown } | null)?.link;
  if (link === undefined || (typeof link === 'string' && isWebLink(link))) return;
  throw new IncidentCommandError('invalid_input', `invalid ${name} payload: link: ${WEB_LINK_MESSAGE}`, [`link: ${WEB_LINK_MESSAGE}`]);
}
