/** On-call (Opsgenie) activities. The page's alias is the incident's key, which makes creating it idempotent. */
import type { OnCallPort } from '../integrations/ports.js';
import { runStep } from './run-step.js';

export function createOnCallActivities(onCall: OnCallPort) {
  return {
    async lookUpOnCall(request: { key: string; schedule?: string }): Promise<{ emails: string[] }> {
      return runStep('opsgenie', 'oncall', request.key, async () => ({ emails: await onCall.whoIsOnCall(request.schedule) }));
    },

    async pageOnCall(request: {
      key: string;
      alias: string;
      message: string;
      description: string;
      priority: string;
    }): Promise<{ alertId: string; reused: boolean }> {
      return runStep('opsgenie', 'alert', request.key, async () => {
        const existing = await onCall.findAlert(request.alias);
        if (existing && existing.status === 'open') return { alertId: existing.id, reused: true };
        const alert = await onCall.createAlert(request);
        return { alertId: alert.id, reused: false };
      });
    },

    async closeAlert(request: { key: string; alias: string; note: string }): Promise<{ alreadyClosed: boolean }> {
      return runStep('opsgenie', 'closeAlert', request.key, async () => {
        const existing = await onCall.findAlert(request.alias);
        if (!existing || existing.status === 'closed') return { alreadyClosed: true };
        await onCall.closeAlert(request.alias, request.note);
        return { alreadyClosed: false };
      });
    },
  };
}
