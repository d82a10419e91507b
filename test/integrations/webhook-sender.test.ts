/**
 * Outgoing webhooks against a real HTTP receiver on loopback: the signature a receiver verifies, replay and tampering
 * refused, and every failure class (5xx, 4xx, 429 with Retry-After, timeouts, redirects, a refused connection, a missing
 * secret variable) classified the way Temporal's retries need. Loopback is refused by default, so every delivery here
 * opens 127.0.0.1 explicitly, as an operator would with OUTBOUND_ALLOWED_HOSTS (test/security/ covers the refusals).
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookActivities } from '../../activities/webhooks.js';
import { outboundAllowList } from '../../security/outbound-address-policy.js';
import { sendWebhook, verifyWebhookSignature } from '../../integrations/webhooks/webhook-sender.js';
import { failureOf } from '../helpers/integration-errors.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const SECRET = 'whsec-test-0123456789abcdef0123456789';
const loopback = outboundAllowList('127.0.0.1');
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver({ secret: SECRET });
});
afterAll(() => receiver.close());
beforeEach(() => receiver.reset());

const body = JSON.stringify({ event: 'status-update', incident: { id: 'abc', name: 'Checkout is down' }, update: { message: 'Rolled back, "watching", 5xx down' } });
const delivery = (overrides: Partial<Parameters<typeof sendWebhook>[0]> = {}) =>
  ({ url: receiver.url, body, secret: SECRET, deliveryId: 'abc:webhook:status-update:1:0', event: 'status-update', timeoutMs: 2_000, allowList: loopback, ...overrides }) as const;

describe('sendWebhook', () => {
  it('sends the JSON with the event, delivery id, timestamp and a v1 HMAC signature the receiver verifies', async () => {
    const before = Math.floor(Date.now() / 1000);
    expect(await sendWebhook(delivery())).toEqual({ status: 204 });
    const [got] = await receiver.waitForDeliveries(1);
    expect(got!.body).toBe(body);
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['user-agent']).toBe('incident-collaboration-temporal');
    expect(got!.event).toBe('status-update');
    expect(got!.deliveryId).toBe('abc:webhook:status-update:1:0');
    expect(Number(got!.timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(got!.timestamp)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    // The scheme, recomputed independently of the code under test.
    const hex = createHmac('sha256', SECRET).update(`${got!.timestamp}.${body}`).digest('hex');
    expect(got!.signature).toBe(`v1=${hex}`);
    expect(got!.verification).toEqual({ valid: true });
    expect(got!.verified).toBe(true);
  });

  it('keeps the delivery id across retries, so a receiver can drop the duplicate', async () => {
    receiver.respondWith(503, { times: 1 });
    await failureOf(sendWebhook(delivery()));
    await sendWebhook(delivery());
    const [first, second] = await receiver.waitForDeliveries(2);
    expect(first!.deliveryId).toBe(second!.deliveryId);
    expect(second!.verified).toBe(true);
  });

  it('sends no signature without a secret', async () => {
    const { secret: _secret, ...unsigned } = delivery();
    await sendWebhook(unsigned);
    const [got] = await receiver.waitForDeliveries(1);
    expect(got!.signature).toBeUndefined();
    expect(got!.verification).toEqual({ valid: false, reason: 'malformed' });
  });

  it('a receiver refuses a stale timestamp: a captured request cannot be replayed later', async () => {
    await sendWebhook(delivery({ now: () => Date.now() - 10 * 60_000 }));
    const [got] = await receiver.waitForDeliveries(1);
    expect(got!.verification).toEqual({ valid: false, reason: 'expired' });
    // The same request is fine within the tolerance of its own time.
    const sentAt = Number(got!.timestamp) * 1000;
    expect(verifyWebhookSignature({ body: got!.body, timestamp: got!.timestamp, signature: got!.signature, secret: SECRET, now: sentAt + 299_000 })).toEqual({ valid: true });
    expect(verifyWebhookSignature({ body: got!.body, timestamp: got!.timestamp, signature: got!.signature, secret: SECRET, now: sentAt + 301_000 })).toEqual({ valid: false, reason: 'expired' });
    // A timestamp from the future is refused as well.
    expect(verifyWebhookSignature({ body: got!.body, timestamp: got!.timestamp, signature: got!.signature, secret: SECRET, now: sentAt - 400_000 })).toEqual({ valid: false, reason: 'expired' });
  });

  it('a receiver refuses a tampered body, a moved timestamp, another secret and garbage', async () => {
    await sendWebhook(delivery());
    const [got] = await receiver.waitForDeliveries(1);
    const check = (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
      verifyWebhookSignature({ body: got!.body, timestamp: got!.timestamp, signature: got!.signature, secret: SECRET, ...overrides });
    expect(check({})).toEqual({ valid: true });
    expect(check({ body: got!.body.replace('Rolled back', 'All fine') })).toEqual({ valid: false, reason: 'mismatch' });
    expect(check({ timestamp: String(Number(got!.timestamp) + 1) })).toEqual({ valid: false, reason: 'mismatch' });
    expect(check({ secret: 'another-secret' })).toEqual({ valid: false, reason: 'mismatch' });
    expect(check({ signature: got!.signature!.slice(0, -2) })).toEqual({ valid: false, reason: 'mismatch' });
    expect(check({ signature: 'v0=abcd' })).toEqual({ valid: false, reason: 'malformed' });
    expect(check({ timestamp: 'yesterday' })).toEqual({ valid: false, reason: 'malformed' });
    // Several signatures (a secret being rotated): any one that matches will do.
    expect(check({ signature: `v1=${'0'.repeat(64)}, ${got!.signature!}` })).toEqual({ valid: true });
  });

  it('treats a 500 as temporary, reported by its status and standard reason, never by its body', async () => {
    receiver.respondWith(500, { body: 'database unavailable', times: 1 });
    const error = await failureOf(sendWebhook(delivery()));
    expect(error).toMatchObject({ system: 'webhooks', retryable: true, kind: 'Unavailable', message: 'The webhook receiver answered 500: Internal Server Error' });
  });

  it('treats a 400 as permanent, and keeps the signature out of the message even when the receiver echoes it', async () => {
    receiver.respondWith(400, { body: '', times: 1 });
    await failureOf(sendWebhook(delivery())).then((error) => expect(error).toMatchObject({ retryable: false, kind: 'BadRequest' }));
    // A receiver that echoes the header it did not like.
    const echo = await startEchoServer(400);
    try {
      const error = await failureOf(sendWebhook(delivery({ url: echo.url })));
      expect(error).toMatchObject({ retryable: false, kind: 'BadRequest', message: 'The webhook receiver answered 400: Bad Request' });
      expect(echo.lastSignature).toMatch(/^v1=[0-9a-f]{64}$/);
      expect(error.message).not.toContain(echo.lastSignature!.slice(3));
    } finally {
      await echo.close();
    }
  });

  it('treats 408 as temporary and the other 4xx as permanent', async () => {
    receiver.respondWith(408, { times: 1 });
    expect(await failureOf(sendWebhook(delivery()))).toMatchObject({ retryable: true, kind: 'Timeout' });
    receiver.respondWith(404, { times: 1 });
    expect(await failureOf(sendWebhook(delivery()))).toMatchObject({ retryable: false, kind: 'NotFound' });
    receiver.respondWith(401, { times: 1 });
    expect(await failureOf(sendWebhook(delivery()))).toMatchObject({ retryable: false, kind: 'Unauthorized' });
  });

  it('honours Retry-After of a 429', async () => {
    receiver.respondWith(429, { retryAfter: '7', times: 1 });
    expect(await failureOf(sendWebhook(delivery()))).toMatchObject({ retryable: true, kind: 'RateLimited', retryAfterMs: 7_000 });
  });

  it('gives up on a slow receiver after the timeout, as a temporary failure', async () => {
    receiver.respondWith(204, { delayMs: 3_000, times: 1 });
    const started = Date.now();
    const error = await failureOf(sendWebhook(delivery({ timeoutMs: 300 })));
    expect(error).toMatchObject({ retryable: true, kind: 'Timeout', message: 'The webhook receiver did not answer in time' });
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('does not follow a redirect', async () => {
    const elsewhere = await startWebhookReceiver({ secret: SECRET });
    try {
      receiver.respondWith(307, { location: elsewhere.url, times: 1 });
      const error = await failureOf(sendWebhook(delivery()));
      expect(error).toMatchObject({ retryable: false, kind: 'HttpError' });
      expect(error.message).toMatch(/^The webhook receiver answered 307: redirects are not followed/);
      expect(elsewhere.deliveries).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('treats a refused connection as temporary and a malformed URL as permanent', async () => {
    const closed = await startWebhookReceiver();
    const url = closed.url;
    await closed.close();
    expect(await failureOf(sendWebhook(delivery({ url })))).toMatchObject({ retryable: true, kind: 'NetworkError' });
    expect(await failureOf(sendWebhook(delivery({ url: 'ftp://example.com/hook' })))).toMatchObject({ retryable: false, kind: 'InvalidUrl' });
    expect(await failureOf(sendWebhook(delivery({ url: 'not a url' })))).toMatchObject({ retryable: false, kind: 'InvalidUrl' });
  });
});

describe('the deliverWebhook activity', () => {
  const logged: string[] = [];
  const logger = {
    log: (_level: string, message: string, meta?: unknown) => void logged.push(`${message} ${JSON.stringify(meta ?? {})}`),
    trace: (message: string, meta?: unknown) => void logged.push(`${message} ${JSON.stringify(meta ?? {})}`),
    debug: (message: string, meta?: unknown) => void logged.push(`${message} ${JSON.stringify(meta ?? {})}`),
    info: (message: string, meta?: unknown) => void logged.push(`${message} ${JSON.stringify(meta ?? {})}`),
    warn: (message: string, meta?: unknown) => void logged.push(`${message} ${JSON.stringify(meta ?? {})}`),
    error: (message: string, meta?: unknown) => void logged.push(`${message} ${JSON.stringify(meta ?? {})}`),
  };
  beforeEach(() => {
    logged.length = 0;
  });

  const request = { key: 'abc:webhook:status-update:2:0', event: 'status-update', payload: { event: 'status-update', update: { message: 'Mitigated' } } };

  it('reads the secret from the named variable at delivery and signs with it', async () => {
    const { deliverWebhook } = createWebhookActivities({ send: sendWebhook, env: { INCIDENT_WEBHOOK_SECRET_OPS: SECRET }, allowList: loopback });
    const result = await new MockActivityEnvironment({}, { logger }).run(deliverWebhook, { ...request, url: receiver.url, secretEnv: 'INCIDENT_WEBHOOK_SECRET_OPS' });
    expect(result).toEqual({ status: 204 });
    const [got] = await receiver.waitForDeliveries(1);
    expect(got!.verified).toBe(true);
    expect(got!.deliveryId).toBe(request.key);
    expect(got!.json).toEqual(request.payload);
  });

  it('fails for good, naming the variable, when the secret variable is not set; nothing is sent', async () => {
    const { deliverWebhook } = createWebhookActivities({ send: sendWebhook, env: { OTHER: 'x' }, allowList: loopback });
    const error = await new MockActivityEnvironment({}, { logger })
      .run(deliverWebhook, { ...request, url: receiver.url, secretEnv: 'INCIDENT_WEBHOOK_SECRET_OPS' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ nonRetryable: true, type: 'WebhooksSecretMissing' });
    expect((error as Error).message).toContain('INCIDENT_WEBHOOK_SECRET_OPS is not set on the incident workers');
    expect(receiver.deliveries).toHaveLength(0);
  });

  it('turns receiver failures into Temporal retry semantics, and logs neither the secret nor the signature', async () => {
    const { deliverWebhook } = createWebhookActivities({ send: sendWebhook, env: { INCIDENT_WEBHOOK_SECRET_OPS: SECRET }, allowList: loopback });
    const environment = new MockActivityEnvironment({}, { logger });
    receiver.respondWith(429, { retryAfter: '3', times: 1 });
    const limited = await environment.run(deliverWebhook, { ...request, url: receiver.url, secretEnv: 'INCIDENT_WEBHOOK_SECRET_OPS' }).catch((e: unknown) => e);
    expect(limited).toMatchObject({ nonRetryable: false, type: 'WebhooksRateLimited', nextRetryDelay: 3_000 });
    receiver.respondWith(422, { times: 1 });
    const refused = await environment.run(deliverWebhook, { ...request, url: receiver.url, secretEnv: 'INCIDENT_WEBHOOK_SECRET_OPS' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ nonRetryable: true, type: 'WebhooksUnprocessable' });

    const signatures = receiver.deliveries.map((d) => d.signature!.slice(3));
    expect(signatures).toHaveLength(2);
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) {
      expect(line).not.toContain(SECRET);
      for (const signature of signatures) expect(line).not.toContain(signature);
    }
  });
});

/** A receiver that answers `status` with the signature header it got in the body, as some error pages do. */
async function startEchoServer(status: number) {
  let lastSignature: string | undefined;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      lastSignature = req.headers['x-incident-signature'] as string | undefined;
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(`bad signature ${lastSignature ?? ''}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    get lastSignature() {
      return lastSignature;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
