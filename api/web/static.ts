/**
 * Serves the built web app (scripts/build-web.ts) at /app/:
 *
 * - /app/assets/*: the content-hashed JS and CSS, cached for a year as immutable (a new build has new names);
 * - any other GET under /app/ (a deep link like /app/incidents/abc, a reload): index.html, never cached, so a new
 *   build is picked up at once; the app's router then shows the page. /app/auth/* is left to the sign-in routes,
 *   which are mounted before this; what they do not answer falls through to the app's 404;
 * - `/`: a redirect to /app/.
 *
 * index.html carries a Content-Security-Policy that allows our own scripts, styles and API only: an injected
 * `<script>` or inline handler does not run, and no other site may frame the app. A folder without a build answers
 * 503 naming the command that makes one.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import express, { Router, type ErrorRequestHandler } from 'express';
import { HttpError } from '../http-error.js';

export const WEB_APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-cache',
  'Content-Security-Policy': WEB_APP_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

const notBuilt = () => new HttpError(503, 'unavailable', 'the web app was not built (npm run build)');

export interface WebAppOptions {
  /** The build folder (index.html and assets/); absent or missing on disk: 503 naming `npm run build`. */
  root?: string | undefined;
}

export function webAppRoutes({ root }: WebAppOptions): Router {
  const router = Router();
  router.get('/', (_req, res) => res.redirect(302, '/app/'));

  if (root) {
    router.use(
      '/app/assets',
      express.static(join(root, 'assets'), {
        immutable: true,
        maxAge: '1y',
        index: false,
        redirect: false,
        fallthrough: false,
        setHeaders: (res) => res.setHeader('X-Content-Type-Options', 'nosniff'),
      }),
    );
    // express.static's own refusals (a missing asset, a path climbing out of the folder) in the API's error shape.
    const assetErrors: ErrorRequestHandler = (error: { status?: number; statusCode?: number }, req, _res, next) => {
      const status = error.status ?? error.statusCode ?? 500;
      if (status === 403) next(new HttpError(403, 'forbidden', 'that asset path is not allowed'));
      else if (status === 404) next(new HttpError(404, 'not_found', `no asset ${req.path.slice(0, 200)}`));
      else if (status === 405) next(new HttpError(405, 'method_not_allowed', `assets are read with GET, not ${req.method}`));
      else if (status < 500) next(new HttpError(status, 'bad_request', `that asset request is not valid (${status})`));
      else next(error);
    };
    router.use('/app/assets', assetErrors);
  } else {
    router.use('/app/assets', () => {
      throw notBuilt();
    });
  }

  router.use('/app', async (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path === '/auth' || req.path.startsWith('/auth/')) {
      next();
      return;
    }
    // `/app` itself: relative links resolve against /app/, so the page lives there.
    const queryAt = req.originalUrl.indexOf('?');
    if ((queryAt === -1 ? req.originalUrl : req.originalUrl.slice(0, queryAt)) === '/app') {
      res.redirect(301, `/app/${queryAt === -1 ? '' : req.originalUrl.slice(queryAt)}`);
      return;
    }
    if (!root) throw notBuilt();
    let page: Buffer;
    try {
      page = await readFile(join(root, 'index.html'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') throw notBuilt();
      throw error;
    }
    res.set(PAGE_HEADERS).send(page);
  });
  return router;
}
