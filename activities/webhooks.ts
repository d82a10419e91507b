/**
 * Status-update webhooks: one activity per delivery, so Temporal retries each receiver on its own schedule and one slow
 * receiver never holds up another. The signing secret is read here, on the worker, from the environment variable the
 * playbook names: the secret never enters workflow input or history, where anyone who can read the workflow would see it.
 *
 * Only variables named INCIDENT_WEBHOOK_SECRET_<NAME> are ever read. The playbook author chooses the name, and the
 * worker's environment also holds its own credentials (the Mattermost token, database passwords): if any name would do,
 * an author could have the worker key its signatures with one of them and send them to a receiver of the author's, who
 * could then test guesses of that credential offline.
 */
import { IntegrationError } from './ports/integration-error.js';
import { WEBHOOK_SECRET_ENV_PREFIX } from '../domain/playbook/webhook-secret-env.js';
import { PUBLIC_ADDRESSES_ONLY, type OutboundAllowList } from '../security/outbound-address-policy.js';
import type { WebhookSender } from './ports/webhook.js';
import { runStep } from './run-step.js';

export interface WebhookActivityOptions {
  /** Sends a delivery (the worker gives integrations/webhooks/webhook-sender.ts's sendWebhook). */
  send: WebhookSender;
  /** Where secrets are looked up by name; the worker's environment unless a test gives its own. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Hosts and ranges the operator opened beyond public addresses (OUTBOUND_ALLOWED_HOSTS); public only when absent. */
  allowList?: OutboundAllowList;
}

export interface WebhookDeliveryRequest {
  /**
   * The delivery's idempotency key from the workflow (unique per event and receiver); sent as X-Incident-Delivery, the
   * same on every retry, so the receiver can drop a second copy when a retry follows a delivery whose answer was lost.
   */
  key: string;
  url: string;
  /** Name of the worker's environment variable holding the HMAC secret; unsigned when absent. */
  secretEnv?: string;
  event: string;
  /** Sent as JSON (see formats/webhook-payload.ts for what the incident events carry). */
  payload: unknown;
}

export function createWebhookActivities({ send, env = process.env, timeoutMs, allowList = PUBLIC_ADDRESSES_ONLY }: WebhookActivityOptions) {
  return {
    async deliverWebhook(request: WebhookDeliveryRequest): Promise<{ status: number }> {
      return runStep('webhook', 'webhook', request.key, async () => {
        const secret = request.secretEnv === undefined ? undefined : webhookSecret(env, request.secretEnv);
        return send({
          url: request.url,
          body: JSON.stringify(request.payload),
          deliveryId: request.key,
          event: request.event,
          allowList,
          ...(secret ? { secret } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        });
      });
    },
  };
}

/**
 * The value of a webhook's secret variable. Both failures are for good (a retry cannot rename or set a variable) and
 * name the variable, never a value, nor whether some other variable exists.
 */
function webhookSecret(env: Record<string, string | undefined>, name: string): string {
  // Playbook validation refuses other names; this guards incidents started before it did, and hand-made starts.
  if (!name.startsWith(WEBHOOK_SECRET_ENV_PREFIX) || name.length === WEBHOOK_SECRET_ENV_PREFIX.length) {
    throw new IntegrationError(
      'webhooks',
      `the webhook secret must be in a variable named ${WEBHOOK_SECRET_ENV_PREFIX}<NAME>; the worker reads no other, so "${name}" was not read`,
      false,
      'SecretNotAllowed',
    );
  }
  const secret = env[name];
  if (!secret) {
    throw new IntegrationError('webhooks', `the webhook secret is missing: ${name} is not set on the incident workers`, false, 'SecretMissing');
  }
  return secret;
}
