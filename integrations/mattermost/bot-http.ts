/**
 * How the incident bot's Mattermost client (IncidentBotClient) sends a request: node:http or node:https over a kept-alive
 * connection, instead of the fetch that Client4 uses. A launch makes some 27 Mattermost calls, and fetch (undici: a
 * Request, Headers and Response each time, web streams for the body, a WebAssembly HTTP parser) took about twice the
 * CPU of this for the same call; it was the largest part of the worker's own code in a launch's profile
 * (scripts/profile-launch.ts). What comes back is what Client4's own transport gives its callers: the body parsed as
 * Client4 parses it, the headers, and the status.
 *
 * The caller's timeout, and the cancellation of the activity making the call (activities/ports/cancellation.ts), end the
 * request: a timeout fails with a TimeoutError, a cancellation with an AbortError, as fetch would.
 */
import http from 'node:http';
import https from 'node:https';
import { currentCancellation } from '../../activities/ports/cancellation.js';

export interface BotResponse {
  response: { ok: boolean; status: number; statusText: string };
  headers: Headers;
  data: unknown;
}

export interface BotRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** Keep-alive connections for one client; a connection left idle is closed before the server's announced timeout. */
export interface BotAgents {
  'http:': http.Agent;
  'https:': https.Agent;
}

export function botAgents(): BotAgents {
  return { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
}

function named(name: 'TimeoutError' | 'AbortError', message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** The body as Client4 reads it (by the exact Content-Type it checks for); a body that does not parse is an error. */
function parseBody(contentType: string | null, body: Buffer): unknown {
  if (contentType === 'application/json') return JSON.parse(body.toString('utf8'));
  if (contentType === 'application/x-ndjson') {
    return body
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
  }
  if (contentType === 'application/zip') return new Blob([body]);
  return body.toString('utf8');
}

export function sendBotRequest(agents: BotAgents, url: string, request: BotRequest, timeoutMs: number): Promise<BotResponse> {
  const target = new URL(url);
  const cancelled = currentCancellation();
  return new Promise<BotResponse>((resolve, reject) => {
    if (cancelled?.aborted) {
      reject(named('AbortError', 'the activity was cancelled'));
      return;
    }
    const secure = target.protocol === 'https:';
    const client = secure ? https : http;
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    let settled = false;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      cancelled?.removeEventListener('abort', onCancel);
    };
    const fail = (error: Error) => {
      if (settled) return;
      finish();
      outgoing.destroy();
      reject(error);
    };
    const outgoing = client.request(target, { method: request.method.toUpperCase(), headers, agent: secure ? agents['https:'] : agents['http:'] }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', (error) => fail(error));
      // The connection closed before the whole body came (a dropped connection).
      incoming.on('close', () => {
        if (!incoming.complete) fail(Object.assign(new Error('the connection closed before the response was complete'), { code: 'ECONNRESET' }));
      });
      incoming.on('end', () => {
        if (settled) return;
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          if (value === undefined) continue;
          for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, one);
        }
        let data: unknown;
        try {
          data = parseBody(responseHeaders.get('content-type'), Buffer.concat(chunks));
        } catch (error) {
          fail(Object.assign(new Error('Received invalid response from the server.'), { cause: error }));
          return;
        }
        finish();
        const status = incoming.statusCode ?? 0;
        resolve({ response: { ok: status >= 200 && status < 300, status, statusText: incoming.statusMessage ?? '' }, headers: responseHeaders, data });
      });
    });
    const timer = setTimeout(() => fail(named('TimeoutError', `no answer within ${timeoutMs} ms`)), timeoutMs);
    const onCancel = () => fail(named('AbortError', 'the activity was cancelled'));
    cancelled?.addEventListener('abort', onCancel, { once: true });
    outgoing.on('error', (error) => fail(error));
    outgoing.end(request.body);
  });
}
