/**
 * The bot's Mattermost calls go over node:http with kept-alive connections (integrations/mattermost/bot-http.ts), not
 * through fetch, which cost about twice the CPU per call in a launch; only uploads (multipart forms) still use fetch.
 * The answers are what Client4's own transport gives: its headers (its token spelling, "BEARER", included), parsed
 * bodies, the server version remembered.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { MattermostChat } from '../../integrations/mattermost/mattermost-chat.js';
import { failureOf } from '../helpers/integration-errors.js';

let server: Server;
let url: string;
let connections = 0;
const seen: Array<{ method: string; path: string; authorization: string | undefined; contentType: string | undefined; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
      if (req.url === '/api/v4/users/me') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-Version-Id': '9.11.0.9.11.0.abc.false' });
        res.end(JSON.stringify({ id: 'bot-id', username: 'incident-bot' }));
      } else if (req.url === '/api/v4/posts') {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: 'post-1', channel_id: 'c1', message: JSON.parse(body).message }));
      } else if (req.url === '/api/v4/channels/c1/patch') {
        // Not JSON, though it says so: what a broken proxy might send.
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('<html>oops</html>');
      } else {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: 'api.context.404.app_error', message: 'Sorry, we could not find the page.', status_code: 404 }));
      }
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => vi.unstubAllGlobals());

it('makes its calls without fetch, over one kept-alive connection, with Client4\'s headers and answers', async () => {
  const fetchCalls = vi.fn();
  vi.stubGlobal('fetch', (...args: unknown[]) => {
    fetchCalls(...args);
    throw new Error('fetch is not for these calls');
  });
  const chat = new MattermostChat({ url, token: 'bot-token', timeoutMs: 2_000 });
  const before = connections;
  for (let i = 0; i < 5; i++) expect(await chat.ownUserId()).toBe('bot-id');
  // ownUserId asks once and remembers; ask the client itself for the rest.
  for (let i = 0; i < 4; i++) expect((await chat.client.getMe()).username).toBe('incident-bot');
  const post = await chat.createPost('c1', 'hello', 'k:1');

  expect(post).toEqual({ id: 'post-1', channelId: 'c1', message: 'hello' });
  expect(fetchCalls).not.toHaveBeenCalled();
  expect(connections - before).toBe(1);
  expect(chat.client.serverVersion).toBe('9.11.0.9.11.0.abc.false');
  const last = seen.at(-1)!;
  expect(last).toMatchObject({ method: 'POST', path: '/api/v4/posts', authorization: 'BEARER bot-token', contentType: 'application/json' });
  expect(JSON.parse(last.body)).toMatchObject({ channel_id: 'c1', message: 'hello', props: { incident_key: 'k:1' } });
});

it('classifies answers as before: a 404 is NotFound, a body that does not parse is temporary', async () => {
  const chat = new MattermostChat({ url, token: 'bot-token', timeoutMs: 2_000 });
  expect(await failureOf(chat.client.getUser('nobody'))).toMatchObject({ retryable: false, kind: 'NotFound' });
  expect(await failureOf(chat.setChannelHeader('c1', 'header'))).toMatchObject({ retryable: true, kind: 'NetworkError' });
});
