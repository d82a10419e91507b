/**
 * The web app as the API serves it (api/web/static.ts): hashed assets cached for a year, index.html for every page
 * address (deep links, reloads) with no-cache and the Content-Security-Policy, /app/auth/* left to the sign-in routes,
 * paths climbing out of the assets folder refused, `/` sent to /app/, and a 503 naming `npm run build` without a build.
 *
 * No Temporal is needed: nothing here reaches an incident, so the app gets a client that is never called.
 */
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { createApp, type AppOptions } from '../../api/app.js';
import { generateToken, parseApiTokens, tokenEntry } from '../../api/auth/api-tokens.js';
import { WEB_APP_CSP } from '../../api/web/static.js';

const directory = mkdtempSync(join(tmpdir(), 'web-static-'));
const build = join(directory, 'build');
const INDEX = '<!doctype html><title>Incidents</title><script type="module" src="/app/assets/main-ABC123.js"></script>';
const SCRIPT = 'console.log("app");';
// Two levels above the assets folder, where /app/assets/../../package.json would land if it were followed.
const SECRET = '{"name":"not-for-the-browser"}';

const servers: Server[] = [];

async function serve(options: Partial<AppOptions>): Promise<string> {
  const app = createApp({
    client: {} as unknown as Client,
    taskQueue: 'web-static',
    playbooks: { get: async () => undefined, list: async () => [] } as unknown as AppOptions['playbooks'],
    logger: pino({ level: 'silent' }),
    ...options,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request sent with its path exactly as written: fetch would resolve `..` before sending it. */
function raw(base: string, path: string, method = 'GET'): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let api: string;
let withTokens: string;
let unbuilt: string;
let missing: string;

beforeAll(async () => {
  mkdirSync(join(build, 'assets'), { recursive: true });
  writeFileSync(join(build, 'index.html'), INDEX);
  writeFileSync(join(build, 'assets', 'main-ABC123.js'), SCRIPT);
  writeFileSync(join(directory, 'package.json'), SECRET);
  const tokens = parseApiTokens(tokenEntry('grafana', 'read', generateToken())).tokens;
  api = await serve({ web: { root: build, sessionSecret: 'x'.repeat(32) } });
  withTokens = await serve({ apiTokens: tokens, web: { root: build, sessionSecret: 'x'.repeat(32) } });
  unbuilt = await serve({ web: { sessionSecret: 'x'.repeat(32) } });
  missing = await serve({ web: { root: join(directory, 'no-build-here'), sessionSecret: 'x'.repeat(32) } });
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  rmSync(directory, { recursive: true, force: true });
});

function expectPage(answer: Answer): void {
  expect(answer.status).toBe(200);
  expect(answer.body).toBe(INDEX);
  expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(answer.headers['cache-control']).toBe('no-cache');
  expect(answer.headers['content-security-policy']).toBe(WEB_APP_CSP);
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['referrer-policy']).toBe('same-origin');
}

describe('the page', () => {
  it('answers /app/ with index.html, never cached, under a CSP that allows our own scripts, styles and API only', async () => {
    const answer = await raw(api, '/app/');
    expectPage(answer);
    expect(WEB_APP_CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
  });

  it('answers deep links and reloads of any app page with the same index.html (the router shows the page)', async () => {
    expectPage(await raw(api, '/app/incidents/inc-123'));
    expectPage(await raw(api, '/app/sign-in?return_to=%2Fapp%2F'));
    expectPage(await raw(api, '/app/?status=active&scope=all'));
    expectPage(await raw(api, '/app/some/page/that/does/not/exist'));
  });

  it('is served without a token when the API has tokens: the page holds no data, its API calls need a session', async () => {
    expectPage(await raw(withTokens, '/app/incidents/inc-123'));
    expect((await raw(withTokens, '/api/v1/incidents')).status).toBe(401);
  });

  it('sends / to /app/, and /app to /app/ keeping the query', async () => {
    const root = await raw(api, '/');
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/app/');
    const bare = await raw(api, '/app?status=active');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/app/?status=active');
  });

  it('leaves /app/auth/* to the sign-in routes: what they do not answer is the API 404, not the page', async () => {
    const options = await raw(api, '/app/auth/options');
    expect(options.headers['content-type']).toMatch(/^application\/json/);
    for (const path of ['/app/auth/nothing-here?code=x&state=y', '/app/auth/callback/extra', '/app/auth']) {
      const answer = await raw(api, path);
      expect(answer.status, path).toBe(404);
      expect(JSON.parse(answer.body).error.code, path).toBe('not_found');
      expect(answer.headers['content-type'], path).toMatch(/^application\/json/);
    }
  });

  it('answers only GET and HEAD: a POST under /app/ is not the page', async () => {
    const answer = await raw(api, '/app/incidents/inc-123', 'POST');
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('<!doctype html>');
    const head = await raw(api, '/app/', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-security-policy']).toBe(WEB_APP_CSP);
  });
});

describe('the assets', () => {
  it('serves hashed assets as immutable for a year', async () => {
    const answer = await raw(api, '/app/assets/main-ABC123.js');
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(SCRIPT);
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(answer.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers a missing asset with a 404, not the page (a stale page asking for an old build must not get HTML as JS)', async () => {
    const answer = await raw(api, '/app/assets/main-OLD999.js');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body).error.code).toBe('not_found');
  });

  it('refuses paths that climb out of the assets folder, however they are spelled', async () => {
    for (const path of ['/app/assets/../../package.json', '/app/assets/..%2f..%2fpackage.json', '/app/assets/%2e%2e/%2e%2e/package.json', '/app/assets/..\\..\\package.json']) {
      const answer = await raw(api, path);
      expect(answer.body, path).not.toContain('not-for-the-browser');
      expect([403, 404], path).toContain(answer.status);
      expect(JSON.parse(answer.body).error.code, path).toMatch(/^(forbidden|not_found)$/);
    }
  });
});

describe('without a build', () => {
  it('answers 503 naming npm run build, when no folder was given or it holds no build', async () => {
    for (const base of [unbuilt, missing]) {
      for (const path of ['/app/', '/app/incidents/inc-1', '/app/assets/main-ABC123.js']) {
        const answer = await raw(base, path);
        expect(answer.status, `${base}${path}`).toBe(base === missing && path.startsWith('/app/assets/') ? 404 : 503);
        if (answer.status === 503) expect(JSON.parse(answer.body).error.message).toBe('the web app was not built (npm run build)');
      }
    }
  });

  it('serves nothing under /app/ when the app has no web option', async () => {
    const plain = await serve({});
    expect((await raw(plain, '/app/')).status).toBe(404);
    expect((await raw(plain, '/')).status).toBe(404);
  });
});
