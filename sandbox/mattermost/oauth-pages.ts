/**
 * The HTML pages of the sandbox's /oauth/authorize. The real server renders its web app there (the login page, the
 * consent page) and, on a bad request, a page that sends the browser to `/error?message=...&type=...`; the sandbox has
 * no web app and no browser sessions, so it shows a small page to pick who signs in, a consent page, and error pages
 * with the real status and the same `/error` link.
 */
import type { Response } from 'express';
import type { SandboxOAuthApp, SandboxUserProfile } from './types.js';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)}</title></head>\n<body><main>\n<h1>${escapeHtml(title)}</h1>\n${body}\n</main></body></html>\n`;
}

export function sendPage(res: Response, status: number, html: string): void {
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  // A sign-in page must not come back from a cache once used, nor be framed by another site.
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Frame-Options', 'DENY');
  res.end(html);
}

/** utils.RenderWebError: the status, and a link to the web app's error page carrying the message. */
export function errorPage(message: string, type?: string): string {
  const query = new URLSearchParams({ message, ...(type ? { type } : {}) });
  return page('Mattermost sandbox: sign-in failed', `<p><a href="/error?${escapeHtml(query.toString())}">${escapeHtml(message)}</a></p>`);
}

/** `query` is the authorize request's own query string, carried through the form to the login route. */
export function signInPage(app: SandboxOAuthApp, users: SandboxUserProfile[], query: string): string {
  const buttons = users
    .map((user) => `<li><button type="submit" name="sandbox_user" value="${escapeHtml(user.username)}">${escapeHtml(user.username)}</button></li>`)
    .join('\n');
  return page(
    'Sign in to the sandbox as',
    `<p>${escapeHtml(app.name)} asks you to sign in with Mattermost. This sandbox keeps no passwords: pick a user.</p>\n` +
      `<form method="post" action="/oauth/authorize/sandbox-login?${escapeHtml(query)}"><ul>\n${buttons}\n</ul></form>`,
  );
}

export function consentPage(app: SandboxOAuthApp, user: SandboxUserProfile, query: string): string {
  return page(
    `Allow ${app.name} to use your account?`,
    `<p>Signed in as ${escapeHtml(user.username)}. ${escapeHtml(app.name)} (${escapeHtml(app.homepage)}) wants access to your Mattermost account.</p>\n` +
      `<form method="post" action="/oauth/authorize/sandbox-login?${escapeHtml(query)}">` +
      `<input type="hidden" name="sandbox_user" value="${escapeHtml(user.username)}">` +
      `<button type="submit" name="consent" value="allow">Allow</button> <button type="submit" name="consent" value="deny">Deny</button></form>`,
  );
}
