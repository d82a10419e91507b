/**
 * The outgoing-webhook role: send one signed delivery to a receiver's URL, past the outbound address policy. The
 * activity decides what is sent (body, delivery ID, secret); the sender (integrations/webhooks/webhook-sender.ts) how:
 * signature headers, address checks on every hop, timeouts, failure classification.
 */
import type { OutboundAllowList } from '../../security/outbound-address-policy.js';

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
  /** Hosts and ranges the operator opened beyond public addresses (OUTBOUND_ALLOWED_HOSTS); public only when absent. */
  allowList?: OutboundAllowList;
}

/** Sends a delivery; resolves with the receiver's 2xx status, throws an IntegrationError otherwise. */
export type WebhookSender = (delivery: WebhookDelivery) => Promise<{ status: number }>;
