/**
 * Server-side request forgery through status-update webhooks, against real sockets on loopback: a webhook aimed at the
 * worker's own machine (in any spelling, or through a host name that resolves there) is refused before a connection is
 * made, with a message naming what was refused and the setting that opens it; the operator's allow-list opens it; a
 * receiver's answer never comes back in the failure; and the worker reads webhook secrets from
 * INCIDENT_WEBHOOK_SECRET_* variables only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookActivities } from '../../activities/webhooks.js';
import { outboundAllowList, type HostResolver } from '../../security/outbound-address-policy.js';
import { sendWebhook } from '../../integrations/webhooks/webhook-sender.js';
import { failureOf } from '../helpers/integration-errors.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * The internal service an attacker is after: on loopback, counting every TCP connection, answering each request with
 * something that must never leave the machine.
 */
const INTERNAL_ANSWER = 'root:x:0:0:internal-only-answer';
let internal: { server: Server; port: number; connections: number };
let receiver: WebhookReceiver;

beforeAll(async () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(INTERNAL_ANSWER));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  internal = { server, port: (server.address() as AddressInfo).port, connections: 0 };
  server.on('connection', () => internal.connections++);
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  internal.server.closeAllConnections();
  await new Promise<void>((resolve) => internal.server.close(() => resolve()));
  await receiver.close();
});
beforeEach(() => {
  internal.connections = 0;
  receiver.reset();
});

const attempt = (url: string, extra: Partial<Parameters<typeof sendWebhook>[0]> = {}) =>
  sendWebhook({ url, body: '{"event":"status-update"}', deliveryId: 'ssrf:1', event: 'status-update', timeoutMs: 2_000, ...extra });

/** A resolver with fixed answers, standing in for a DNS server an attacker controls; it records what it was asked. */
function fixedResolver(answers: Record<string, string>): HostResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve: HostResolver = async (hostname) => {
    asked.push(hostname);
    const address = answers[hostname];
    if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };
  return Object.assign(resolve, { asked });
}

describe('a webhook aimed at the worker itself', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1', 'a loopback address'],
    ['2130706433', '127.0.0.1', 'a loopback address'],
    ['0x7f.1', '127.0.0.1', 'a loopback address'],
    ['0177.0.0.1', '127.0.0.1', 'a loopback address'],
    ['127.1', '127.0.0.1', 'a loopback address'],
    ['0.0.0.0', '0.0.0.0', 'an unspecified ("this network") address'],
    ['[::1]', '::1', 'a loopback address'],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1', 'a loopback address (IPv4-mapped 127.0.0.1)'],
    ['[::ffff:7f00:1]', '::ffff:7f00:1', 'a loopback address (IPv4-mapped 127.0.0.1)'],
  ])('at http://%s is refused for good, before any connection', async (host, address, reason) => {
    const error = await failureOf(attempt(`http://${host}:${internal.port}/admin`));
    expect(error).toMatchObject({
      system: 'webhooks',
      retryable: false,
      kind: 'AddressRefused',
      message: `The webhook call was refused: ${address} is ${reason}; allow it with OUTBOUND_ALLOWED_HOSTS`,
    });
    expect(internal.connections).toBe(0);
  });

  it('through a host name resolving to 127.0.0.1 is refused at connect time, by the lookup the socket uses', async () => {
    // localhost, through the system resolver.
    const viaSystem = await failureOf(attempt(`http://localhost:${internal.port}/admin`));
    expect(viaSystem).toMatchObject({
      retryable: false,
      kind: 'AddressRefused',
      message: 'The webhook call was refused: localhost resolves to a loopback address; allow the host with OUTBOUND_ALLOWED_HOSTS',
    });
    // A public-looking name whose DNS answers 127.0.0.1 (a rebinding server answers so at the moment of connecting):
    // the only resolution is the connection's own, so the address judged is the address that would be connected to.
    const resolveHost = fixedResolver({ 'status.example.com': '127.0.0.1' });
    const viaDns = await failureOf(attempt(`http://status.example.com:${internal.port}/admin`, { resolveHost }));
    expect(viaDns).toMatchObject({
      kind: 'AddressRefused',
      message: 'The webhook call was refused: status.example.com resolves to a loopback address; allow the host with OUTBOUND_ALLOWED_HOSTS',
    });
    expect(resolveHost.asked).toEqual(['status.example.com']);
    expect(internal.connections).toBe(0);
  });

  it('through a host name resolving to the metadata service is refused too', async () => {
    const resolveHost = fixedResolver({ 'metadata.example.com': '169.254.169.254' });
    const error = await failureOf(attempt('http://metadata.example.com/latest/meta-data/', { resolveHost }));
    expect(error.message).toBe('The webhook call was refused: metadata.example.com resolves to a link-local address; allow the host with OUTBOUND_ALLOWED_HOSTS');
  });
});

describe('what the operator opens with OUTBOUND_ALLOWED_HOSTS', () => {
  it('an allowed 127.0.0.1 is delivered to', async () => {
    expect(await attempt(receiver.url, { allowList: outboundAllowList('127.0.0.1') })).toEqual({ status: 204 });
    const [got] = await receiver.waitForDeliveries(1);
    expect(got!.json).toEqual({ event: 'status-update' });
  });

  it('a host name is connected to at the address it resolved to, once that address or the name is allowed', async () => {
    const port = new URL(receiver.url).port;
    const resolveHost = fixedResolver({ 'hooks.internal.example.com': '127.0.0.1' });
    const url = `http://hooks.internal.example.com:${port}/hooks/incidents`;
    expect(await attempt(url, { resolveHost, allowList: outboundAllowList('127.0.0.0/8') })).toEqual({ status: 204 });
    expect(await attempt(url, { resolveHost, allowList: outboundAllowList('hooks.internal.example.com') })).toEqual({ status: 204 });
    const deliveries = await receiver.waitForDeliveries(2);
    expect(deliveries.map((d) => d.headers.host)).toEqual([`hooks.internal.example.com:${port}`, `hooks.internal.example.com:${port}`]);
    // Opening one name opens no other that resolves to the same place.
    const other = fixedResolver({ 'other.example.com': '127.0.0.1' });
    const refused = await failureOf(attempt(`http://other.example.com:${port}/`, { resolveHost: other, allowList: outboundAllowList('hooks.internal.example.com') }));
    expect(refused.kind).toBe('AddressRefused');
    expect(receiver.deliveries).toHaveLength(2);
  });
});

describe("a receiver's answer", () => {
  it('is reported by its status and standard reason, never by its body', async () => {
    const error = await failureOf(attempt(`http://127.0.0.1:${internal.port}/admin`, { allowList: outboundAllowList('127.0.0.1') }));
    expect(error).toMatchObject({ retryable: true, kind: 'Unavailable', message: 'The webhook receiver answered 500: Internal Server Error' });
    expect(internal.connections).toBe(1);
  });

  it('is reported without its own reason phrase, which the receiver chooses as freely as its body', async () => {
    const liar = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusMessage = 'internal-only-answer';
        res.writeHead(418).end();
      });
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    try {
      const error = await failureOf(attempt(`http://127.0.0.1:${(liar.address() as AddressInfo).port}/`, { allowList: outboundAllowList('127.0.0.1') }));
      expect(error.message).toBe("The webhook receiver answered 418: I'm a Teapot");
    } finally {
      liar.closeAllConnections();
      await new Promise<void>((resolve) => liar.close(() => resolve()));
    }
  });
});

describe('the deliverWebhook activity', () => {
  const request = { key: 'ssrf:webhook:status-update:1:0', event: 'status-update', payload: { event: 'status-update' } };
  const failureOfActivity = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the activity to fail');
      },
      (error: unknown) => error,
    );

  it('refuses loopback unless the worker was given an allow-list that opens it', async () => {
    const strict = createWebhookActivities({ send: sendWebhook, env: {} });
    const refused = await failureOfActivity(new MockActivityEnvironment().run(strict.deliverWebhook, { ...request, url: receiver.url }));
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ nonRetryable: true, type: 'WebhooksAddressRefused' });
    expect((refused as Error).message).toBe('The webhook call was refused: 127.0.0.1 is a loopback address; allow it with OUTBOUND_ALLOWED_HOSTS');
    expect(receiver.deliveries).toHaveLength(0);

    const opened = createWebhookActivities({ send: sendWebhook, env: {}, allowList: outboundAllowList('127.0.0.1') });
    expect(await new MockActivityEnvironment().run(opened.deliverWebhook, { ...request, url: receiver.url })).toEqual({ status: 204 });
    await receiver.waitForDeliveries(1);
  });

  it('reads no secret from a variable outside INCIDENT_WEBHOOK_SECRET_, and says nothing of its value', async () => {
    const env = { HOME: '/home/worker-secret-path', MATTERMOST_BOT_TOKEN: 'mm-token-value', INCIDENT_WEBHOOK_SECRET_OPS: 'ops-secret' };
    const { deliverWebhook } = createWebhookActivities({ send: sendWebhook, env, allowList: outboundAllowList('127.0.0.1') });
    for (const secretEnv of ['HOME', 'MATTERMOST_BOT_TOKEN', 'INCIDENT_WEBHOOK_SECRET_']) {
      const error = await failureOfActivity(new MockActivityEnvironment().run(deliverWebhook, { ...request, url: receiver.url, secretEnv }));
      expect(error).toMatchObject({ nonRetryable: true, type: 'WebhooksSecretNotAllowed' });
      expect((error as Error).message).toBe(
        `the webhook secret must be in a variable named INCIDENT_WEBHOOK_SECRET_<NAME>; the worker reads no other, so "${secretEnv}" was not read`,
      );
    }
    const missing = await failureOfActivity(new MockActivityEnvironment().run(deliverWebhook, { ...request, url: receiver.url, secretEnv: 'INCIDENT_WEBHOOK_SECRET_BILLING' }));
    expect(missing).toMatchObject({ nonRetryable: true, type: 'WebhooksSecretMissing' });
    expect((missing as Error).message).toBe('the webhook secret is missing: INCIDENT_WEBHOOK_SECRET_BILLING is not set on the incident workers');
    expect(receiver.deliveries).toHaveLength(0);
  });
});
