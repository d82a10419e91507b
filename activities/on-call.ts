/**
 * On-call activities (Opsgenie or PagerDuty, whichever adapter the worker was given). The page's alias is the incident's
 * key, which makes creating it idempotent: a retry finds the page the first attempt made, and both services also
 * deduplicate an open page by alias (Opsgenie's alias, PagerDuty's dedup_key) should the find miss it.
 */
import type { OnCallPort } from '../integrations/ports.js';
import { mayExistAlready, runStep } from './run-step.js';

export function createOnCallActivities(onCall: OnCallPort) {
  // The metrics tell the services apart: the same step on Opsgenie and on PagerDuty fails for different reasons.
  const system = onCall.provider ?? 'opsgenie';
  return {
    async lookUpOnCall(request: { key: string; schedule?: string }): Promise<{ emails: string[] }> {
      return runStep(system, 'oncall', request.key, async () => ({ emails: await onCall.whoIsOnCall(request.schedule) }));
    },

    async pageOnCall(request: {
      key: string;
      alias: string;
      message: string;
      description: string;
      priority: string;
      /** The incident's severity; PagerDuty maps it to the page's severity (PAGERDUTY_SEVERITY_MAP). */
      severity?: string;
      /** A first launch's step: its first attempt need not look for a page an earlier attempt made. */
      fresh?: boolean;
    }): Promise<{ alertId: string; reused: boolean }> {
      return runStep(system, 'alert', request.key, async () => {
        const existing = mayExistAlready(request) ? await onCall.findAlert(request.alias) : undefined;
        if (existing && existing.status === 'open') return { alertId: existing.id, reused: true };
        // The request goes on as it came (Opsgenie's adapter has always sent it whole), so its pages stay unchanged:
        // without the activity's own flag.
        const { fresh: _fresh, ...page } = request;
        const alert = await onCall.createAlert(page);
        return { alertId: alert.id, reused: false };
      });
    },

    async closeAlert(request: { key: string; alias: string; note: string }): Promise<{ alreadyClosed: boolean }> {
      return runStep(system, 'closeAlert', request.key, async () => {
        const existing = await onCall.findAlert(request.alias);
        if (!existing || existing.status === 'closed') return { alreadyClosed: true };
        await onCall.closeAlert(request.alias, request.note);
        return { alreadyClosed: false };
      });
    },
  };
}
