/**
 * The on-call role: who is on call, and paging them. Declared by the activities that use it; two adapters implement it,
 * Opsgenie and PagerDuty (the worker's ON_CALL_PROVIDER picks one), so the role is worded after neither: each adapter
 * says which service it is, and a page is whatever that service opens for it.
 */

/** The on-call services an on-call adapter can stand for. */
export const ON_CALL_PROVIDERS = ['opsgenie', 'pagerduty'] as const;
export type OnCallProvider = (typeof ON_CALL_PROVIDERS)[number];

/**
 * A page: an Opsgenie alert, or the PagerDuty incident an Events API alert opened. `alias` is the incident's own key for
 * it (Opsgenie's alias, PagerDuty's dedup_key), which is how a retry or the resolution finds it again.
 */
export interface Alert {
  /** The service's own ID when known (Opsgenie alert ID, PagerDuty incident ID), else the alias. */
  id: string;
  alias: string;
  status: 'open' | 'closed';
}

/** What a page says. Each service keeps what it can express and leaves out what it cannot. */
export interface PageRequest {
  alias: string;
  /** One line; the launch writes it as "[<severity>] <incident name>". */
  message: string;
  description: string;
  /** The playbook's Opsgenie-style priority, P1 (highest) to P5. */
  priority: string;
  /**
   * The incident's severity ("sev1"), when the caller passes it. Services that page by severity (PagerDuty) otherwise
   * read it from the "[<severity>]" tag the message starts with.
   */
  severity?: string;
}

/**
 * Who is on call, and paging them. Provider-neutral: schedules are named as the service names them (Opsgenie schedule
 * name; PagerDuty schedule name or ID) and people come back as e-mail addresses, which is how the chat knows them.
 * Paging is idempotent by alias: create after a find that came back empty, and a service that deduplicates by alias
 * (both do, for open pages) turns a retried create into the same page.
 */
export interface OnCallPort {
  /** Which service this is: it labels the integration metrics, which tell the services' failures apart. */
  readonly provider: OnCallProvider;
  /** E-mail addresses of who is on call now for the schedule (or the configured default schedule), first responders first. */
  whoIsOnCall(schedule?: string): Promise<string[]>;
  findAlert(alias: string): Promise<Alert | undefined>;
  createAlert(request: PageRequest): Promise<Alert>;
  /** Closes (resolves) the open page with this alias; `note` says why, where the service keeps notes. */
  closeAlert(alias: string, note: string): Promise<void>;
}
