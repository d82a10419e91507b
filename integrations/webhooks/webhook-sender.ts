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
import { request as httpRequest, STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { IntegrationError } from '../../activities/ports/integration-error.js';
import { httpFailure, networkFailure, type FailureSource } from '../http-failure.js';
import { callSignal } from '../../activities/ports/cancellation.js';
import type { WebhookDelivery as PortDelivery } from '../../activities/ports/webhook.js';
import {
  checkOutboundHost,
  guardedLookup,
  OutboundAddressRefused,
  PUBLIC_ADDRESSES_ONLY,
  type HostResolver,
} from '../../security/outbound-address-policy.js';

const RECEIVER: FailureSource = { system: 'webhooks', service: 'The webhook receiver' };

export const WEBHOOK_HEADERS = {
  event: 'X-Incident-Event',
  delivery: 'X-Incident-Delivery',
  timestamp: 'X-Incident-Timestamp',
  signature: 'X-Incident-Signature',
} as const;

export const WEBHOOK_USER_AGENT = 'incident-collaboration-temporal';
const SIGNATURE_VERSION = 'v1';

/** A delivery as the port describes it, plus what tests pin: the clock and how host names are resolved. */
export interface WebhookDelivery extends PortDelivery {
  /** The clock (ms since the epoch) for the timestamp; tests pin it. */
  now?: () => number;
  /** How host names are resolved (dns.lookup when absent); tests give their own to play a rebinding DNS server. */
  resolveHost?: HostResolver;
}

/** `v1=<hex>`: the value of X-Incident-Signature for this timestamp (unix seconds) and raw body. */
export function signWebhook(secret: string, timestamp: number | string, body: string | Buffer): string {
  // Two updates rather than one concatenated string, so raw bytes are signed as received (no decoding on the way).
  return `${SIGNATURE_VERSION}=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/**
 * Sends one attempt of a delivery. Resolves with the receiver's status on 2xx; otherwise throws a classified
 * IntegrationError: 408, 429 (with its Retry-After), 5xx and network trouble are retryable, any other answer is not.
 *
 * Only public addresses are called, unless the allow-list opens more (security/outbound-address-policy.ts), and the
 * check is made on the address connected to. Redirects are not followed: a signed payload must not be forwarded somewhere
 * the playbook author did not name (and a redirect into the internal network is a classic server-side request forgery).
 * A failure is reported by status code and its standard reason phrase, never by the receiver's body or its own reason
 * phrase: the message reaches the incident's timeline and channel, and whatever a receiver says would reach them with it
 * (an internal service's answer, or a signature it echoes back).
 */
export async function sendWebhook(delivery: WebhookDelivery): Promise<{ status: number }> {
  const url = parseUrl(delivery.url);
  const allowList = delivery.allowList ?? PUBLIC_ADDRESSES_ONLY;
  try {
    checkOutboundHost(url.hostname, allowList);
  } catch (error) {
    if (error instanceof OutboundAddressRefused) throw refused(error);
    throw error;
  }
  const timestamp = Math.floor((delivery.now ?? Date.now)() / 1000);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': WEBHOOK_USER_AGENT,
    [WEBHOOK_HEADERS.event]: delivery.event,
    [WEBHOOK_HEADERS.delivery]: delivery.deliveryId,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
  };
  if (delivery.secret) headers[WEBHOOK_HEADERS.signature] = signWebhook(delivery.secret, timestamp, delivery.body);

  let answer: { status: number; headers: IncomingHttpHeaders };
  try {
    answer = await post(url, headers, delivery.body, {
      signal: callSignal(delivery.timeoutMs ?? 10_000),
      lookup: guardedLookup(allowList, delivery.resolveHost),
    });
  } catch (error) {
    if (error instanceof OutboundAddressRefused) throw refused(error);
    throw networkFailure(RECEIVER, error);
  }
  const { status } = answer;
  if (status >= 200 && status < 300) return { status };
  if (status >= 300 && status < 400) {
    const to = redirectOrigin(answer.headers.location, url);
    throw httpFailure(RECEIVER, status, `redirects are not followed${to ? ` (to ${to})` : ''}; give the playbook the final URL`);
  }
  const retryAfter = answer.headers['retry-after'];
  throw httpFailure(RECEIVER, status, STATUS_CODES[status] ?? 'unknown status', Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
}

/** A refusal is the operator's to lift (OUTBOUND_ALLOWED_HOSTS), never a retry's. */
function refused(error: OutboundAddressRefused): IntegrationError {
  return new IntegrationError('webhooks', `The webhook call was ${error.message}`, false, 'AddressRefused');
}

/**
 * One POST on a connection of its own (no pooled sockets: each delivery resolves and checks its host again, and a socket
 * opened under one allow-list is never reused under another). Resolves with the status line and headers; the body is
 * not read at all, since nothing in it is used, and the socket is closed at once.
 */
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: { signal: AbortSignal; lookup: LookupFunction },
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        agent: false,
        signal: options.signal,
        lookup: options.lookup,
      },
      (response) => {
        resolve({ status: response.statusCode ?? 0, headers: response.headers });
        response.destroy();
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Where a redirect pointed, as scheme, host and port only: enough to fix the playbook, nothing of the path or query. */
function redirectOrigin(location: string | undefined, base: URL): string | undefined {
  if (!location) return undefined;
  try {
    return new URL(location, base).origin;
  } catch {
    return undefined;
  }
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
