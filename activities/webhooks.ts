/**
 * Status-update webhooks: one activity per delivery, so Temporal retries each receiver on its own schedule and one slow
 * receiver never holds up another. The signing secret is read here, on the worker, from the environment variable the
 * playbook names: the secret never enters workflow input or history, where anyone who can read the workflow would see it.
 */
import { IntegrationError } from '../integrations/errors.js';
import { sendWebhook } from '../integrations/webhooks/webhook-sender.js';
import { runStep } from './run-step.js';

export interface WebhookActivityOptions {
  /** Where secrets are looked up by name; the worker's environment unless a test gives its own. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
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
  /** Sent as JSON (see domain/webhook-payload.ts for what the incident events carry). */
  payload: unknown;
}

export function createWebhookActivities({ env = process.env, timeoutMs }: WebhookActivityOptions = {}) {
  return {
    async deliverWebhook(request: WebhookDeliveryRequest): Promise<{ status: number }> {
      return runStep('webhook', request.key, async () => {
        const secret = request.secretEnv === undefined ? undefined : env[request.secretEnv];
        if (request.secretEnv !== undefined && !secret) {
          // A retry cannot set a variable: fail now, naming it (never its value), so ops know what to configure.
          throw new IntegrationError(
            'webhooks',
            `the webhook secret is missing: set the environment variable ${request.secretEnv} on the incident workers`,
            false,
            'SecretMissing',
          );
        }
        return sendWebhook({
          url: request.url,
          body: JSON.stringify(request.payload),
          deliveryId: request.key,
          event: request.event,
          ...(secret ? { secret } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        });
      });
    },
  };
}
