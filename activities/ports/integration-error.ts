/**
 * The one failure every adapter throws, part of each role's contract: which role failed, whether a retry can fix it
 * (network, timeouts, 429, 5xx) or not (validation, bad credentials), and a short name for it. The activities turn it
 * into Temporal's retry behaviour (classify-failure.ts), so adapters never need to know about Temporal.
 */

/** The role that failed; `webhooks`: the receivers a playbook's status updates are POSTed to. */
export type IntegrationSystem = 'chat' | 'tickets' | 'meetings' | 'oncall' | 'webhooks';

export class IntegrationError extends Error {
  constructor(
    readonly system: IntegrationSystem,
    message: string,
    readonly retryable: boolean,
    /** A short machine name for the failure, e.g. "RateLimited", "Unauthorized". */
    readonly kind: string,
    /** Server-requested wait before the next attempt (Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'IntegrationError';
  }
}
