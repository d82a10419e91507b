/**
 * Outgoing webhooks: an incident event POSTed as JSON to a URL a playbook names, signed so the receiver can tell it came
 * from us and was not replayed.
 *
 * What a receiver gets:
 *
 *   POST <url>
 *   Content-Type: application/json
 *   User-Agent: incident-collaboration-temporal
 *   X-Incident-Event: status-update                 (incident-started, status-update, incident-resolved)
 *   X-Incident-Delivery: <id>                       the same on every retry of one delivery: de-duplicate on it
 *   X-Incident-Timestamp: 1718031234                (unix seconds, when this attempt was sent)
 *   X-Incident-Signature: v1=<hex>                  only when the playbook names a secret
 *
 * The signature scheme (v1): hex(HMAC-SHA256(secret, "<X-Incident-Timestamp>.<raw request body>")). A receiver recomputes
 * it over the raw bytes it received (before any JSON parsing), compares in constant time, and refuses timestamps more than
 * a few minutes away from its clock, which bounds how long a captured request can be replayed. `verifyWebhookSignature`
 * does exactly that. The header may carry several comma-separated `v1=` values (a receiver accepts any that matches), so
 * a future sender can sign with an old and a new secret while they are rotated.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { IntegrationError } from '../errors.js';
import { httpFailure, networkFailure } from '../http-failure.js';
import { callSignal } from '../cancellation.js';

export const WEBHOOK_HEADERS = {
  event: 'X-Incident-Event',
  delivery: 'X-Incident-Delivery',
  timestamp: 'X-Incident-Timestamp',
  signature: 'X-Incident-Signature',
} as const;

export const WEBHOOK_USER_AGENT = 'incident-collaboration-temporal';
const SIGNATURE_VERSION = 'v1';
/** Enough of a receiver's error page to say what went wrong, without letting a huge answer fill the worker's memory. */
const MAX_RESPONSE_BYTES_READ = 64 * 1024;
const ERROR_DETAIL_CHARS = 200;

export interface WebhookDelivery {
  url: string;
  /** The JSON text to send; it is signed exactly as given. */
  body: string;
  /** The HMAC secret; no signature header without it. */
  secret?: string;
  /** Stable across retries of one delivery, so a receiver can drop duplicates. */
  deliveryId: string;
  event: string;
  timeoutMs?: number;
  /** The clock (ms since the epoch) for the timestamp; tests pin it. */
  now?: () => number;
}

/** `v1=<hex>`: the value of X-Incident-Signature for this timestamp (unix seconds) and raw body. */
export function signWebhook(secret: string, timestamp: number | string, body: string | Buffer): string {
  // Two updates rather than one concatenated string, so raw bytes are signed as received (no decoding on the way).
  return `${SIGNATURE_VERSION}=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/**
 * Sends one attempt of a delivery. Resolves with the receiver's status on 2xx; otherwise throws a classified
 * IntegrationError: 408, 429 (with its Retry-After), 5xx and network trouble are retryable, any other answer is not.
 * Redirects are not followed: a signed payload must not be forwarded somewhere the playbook author did not name (and a
 * redirect into the internal network is a classic server-side request forgery).
 */
export async function sendWebhook(delivery: WebhookDelivery): Promise<{ status: number }> {
  const url = parseUrl(delivery.url);
  const timestamp = Math.floor((delivery.now ?? Date.now)() / 1000);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': WEBHOOK_USER_AGENT,
    [WEBHOOK_HEADERS.event]: delivery.event,
    [WEBHOOK_HEADERS.delivery]: delivery.deliveryId,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
  };
  if (delivery.secret) headers[WEBHOOK_HEADERS.signature] = signWebhook(delivery.secret, timestamp, delivery.body);

  const signal = callSignal(delivery.timeoutMs ?? 10_000);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method: 'POST', headers, body: delivery.body, redirect: 'manual', signal });
    // Read (bounded) even on success: an unread body keeps the connection from going back to the pool.
    text = await readBounded(response, response.ok ? 0 : ERROR_DETAIL_CHARS);
  } catch (error) {
    throw networkFailure('webhooks', error);
  }
  if (response.ok) return { status: response.status };
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get('Location');
    throw httpFailure('webhooks', response.status, `redirects are not followed${location ? ` (to ${location})` : ''}; give the playbook the final URL`);
  }
  // Error pages sometimes echo the request's headers; a valid signature must not reach logs or workflow history, where it
  // could be replayed within the receiver's tolerance.
  const signature = headers[WEBHOOK_HEADERS.signature];
  const detail = signature ? text.replaceAll(signature.slice(SIGNATURE_VERSION.length + 1), '[signature]') : text;
  throw httpFailure('webhooks', response.status, detail.trim(), response.headers.get('Retry-After'));
}

function parseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new IntegrationError('webhooks', 'the webhook URL is not a valid URL', false, 'InvalidUrl');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new IntegrationError('webhooks', `the webhook URL must be http or https, not ${url.protocol.replace(':', '')}`, false, 'InvalidUrl');
  }
  return url;
}

/** Reads at most MAX_RESPONSE_BYTES_READ of the answer, keeps its first `keepChars` characters, discards the rest. */
async function readBounded(response: Response, keepChars: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let kept = '';
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      read += value.byteLength;
      if (kept.length < keepChars) kept += decoder.decode(value, { stream: true });
      if (read >= MAX_RESPONSE_BYTES_READ) break;
    }
  } finally {
    // Whatever is left is not ours to wait for.
    await reader.cancel().catch(() => undefined);
  }
  return kept.slice(0, keepChars);
}

export type WebhookVerification = { valid: true } | { valid: false; reason: 'malformed' | 'expired' | 'mismatch' };

/**
 * What a receiver runs on each request (our tests too). `body` is the raw request body, `timestamp` and `signature` the
 * X-Incident-Timestamp and X-Incident-Signature headers. Refuses timestamps further than `toleranceSeconds` from `now`
 * (ms since the epoch) in either direction; compares signatures in constant time so the comparison leaks nothing about
 * how much of a forged signature was right.
 */
export function verifyWebhookSignature(request: {
  body: string | Buffer;
  timestamp: string | undefined | null;
  signature: string | undefined | null;
  secret: string;
  toleranceSeconds?: number;
  now?: number;
}): WebhookVerification {
  const { timestamp, signature, secret } = request;
  if (!timestamp || !/^\d{1,15}$/.test(timestamp) || !signature) return { valid: false, reason: 'malformed' };
  const nowSeconds = Math.floor((request.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > (request.toleranceSeconds ?? 300)) return { valid: false, reason: 'expired' };
  const expected = Buffer.from(signWebhook(secret, timestamp, request.body).slice(SIGNATURE_VERSION.length + 1), 'hex');
  const candidates = signature
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${SIGNATURE_VERSION}=`))
    .map((part) => part.slice(SIGNATURE_VERSION.length + 1));
  if (candidates.length === 0) return { valid: false, reason: 'malformed' };
  const matches = candidates.some((hex) => {
    if (!/^[0-9a-f]+$/i.test(hex)) return false;
    const given = Buffer.from(hex, 'hex');
    // timingSafeEqual needs equal lengths; a wrong length says nothing about the secret.
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { valid: true } : { valid: false, reason: 'mismatch' };
}
