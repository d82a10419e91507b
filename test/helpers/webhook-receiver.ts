/**
 * A real HTTP receiver for outgoing webhooks on a loopback port: it checks each request's signature the way a receiver
 * should (with verifyWebhookSignature, over the raw body), records every delivery, and answers with whatever a test
 * scripted, so tests can watch retries and de-duplication by delivery id.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature, type WebhookVerification } from '../../integrations/webhooks/webhook-sender.js';
import { waitFor } from './wait-for.js';

export interface ReceivedWebhook {
  /** Headers as received, names lower-cased. */
  headers: IncomingHttpHeaders;
  event: string | undefined;
  deliveryId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  /** The raw body, exactly as it came over the wire. */
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** The signature check against the receiver's secret; undefined when the receiver has none. */
  verification: WebhookVerification | undefined;
  /** Shorthand: the signature checked out. */
  verified: boolean;
  /** What this receiver answered. */
  status: number;
}

export interface ScriptedAnswer {
  status: number;
  /** Sent as the Retry-After header. */
  retryAfter?: string;
  /** Sent as the Location header (redirect tests). */
  location?: string;
  body?: string;
  /** Wait this long before answering (timeout tests). */
  delayMs?: number;
  /** Answer this way this many times, then go back to the next scripted answer or 204; forever when absent. */
  times?: number;
}

export interface WebhookReceiver {
  url: string;
  deliveries: ReceivedWebhook[];
  /** Queue an answer for the next requests (see ScriptedAnswer.times); without any, the receiver answers 204. */
  respondWith(status: number, options?: Omit<ScriptedAnswer, 'status'>): void;
  /** Waits until at least `count` requests arrived; returns them all. */
  waitForDeliveries(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  /** Forget deliveries and scripted answers. */
  reset(): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: { secret?: string; path?: string } = {}): Promise<WebhookReceiver> {
  const deliveries: ReceivedWebhook[] = [];
  let script: ScriptedAnswer[] = [];
  const pending = new Set<NodeJS.Timeout>();

  const nextAnswer = (): ScriptedAnswer => {
    const answer = script[0];
    if (!answer) return { status: 204 };
    if (answer.times !== undefined && --answer.times <= 0) script.shift();
    return answer;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = raw.toString('utf8');
      const header = (name: string) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      };
      const verification = options.secret
        ? verifyWebhookSignature({ body: raw, timestamp: header('x-incident-timestamp'), signature: header('x-incident-signature'), secret: options.secret })
        : undefined;
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const answer = nextAnswer();
      deliveries.push({
        headers: req.headers,
        event: header('x-incident-event'),
        deliveryId: header('x-incident-delivery'),
        timestamp: header('x-incident-timestamp'),
        signature: header('x-incident-signature'),
        body,
        json,
        verification,
        verified: verification?.valid === true,
        status: answer.status,
      });
      const send = () => {
        const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
        if (answer.retryAfter !== undefined) headers['Retry-After'] = answer.retryAfter;
        if (answer.location !== undefined) headers.Location = answer.location;
        res.writeHead(answer.status, headers);
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) {
        const timer = setTimeout(() => {
          pending.delete(timer);
          if (!res.destroyed) send();
        }, answer.delayMs);
        pending.add(timer);
      } else {
        send();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${options.path ?? '/hooks/incidents'}`,
    deliveries,
    respondWith(status, answer = {}) {
      script.push({ status, ...answer });
    },
    waitForDeliveries(count, timeoutMs = 20_000) {
      return waitFor(() => deliveries, (all) => all.length >= count, { timeoutMs, intervalMs: 20, what: `${count} webhook deliveries` });
    },
    reset() {
      deliveries.length = 0;
      script = [];
    },
    async close() {
      for (const timer of pending) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
