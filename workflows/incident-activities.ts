/**
 * The incident workflow's handles on its activities, with each system's timeouts and retry policy. Chat is what people
 * see first, so it retries longest; the others give up sooner and record the failure in the timeline (and the channel)
 * rather than hold up the incident. Every activity heartbeats each second, so a dead worker's call is retried elsewhere
 * within the 5-second heartbeat timeout.
 */
import { proxyActivities } from '@temporalio/workflow';
import type {
  ChatActivities,
  GroupActivities,
  MeetingActivities,
  OnCallActivities,
  PostmortemActivities,
  RecordActivities,
  TicketActivities,
  WebhookActivities,
} from '../activities/index.js';

const retry = (maximumAttempts: number) => ({
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  maximumAttempts,
});
export const chat = proxyActivities<ChatActivities & GroupActivities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: '5 seconds', retry: retry(10) });
export const tickets = proxyActivities<TicketActivities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: '5 seconds', retry: retry(6) });
export const meetings = proxyActivities<MeetingActivities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: '5 seconds', retry: retry(6) });
// On-call lookups matter in the first minutes only: after three tries the team is told and can retry by command.
export const onCall = proxyActivities<OnCallActivities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: '5 seconds', retry: retry(3) });
// Webhook receivers belong to other teams and may be down for a while: back off up to five minutes, for about half an
// hour in all, then record the failure (retry by command).
export const webhooks = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});
// An export pages through the whole conversation (20,000 posts take a while); it heartbeats on every page.
export const postmortem = proxyActivities<PostmortemActivities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '30 seconds', retry: retry(3) });

// The store may be briefly away (a restart, a failover): keep trying for a few minutes, then leave it to the next change.
// (Not a local activity, though its input would then stay out of the history: a local activity's result can reach the
// workflow in the same activation as Updates that came later, and the replay then orders them differently. Seen under a
// flood of commands as a nondeterminism error. The activity reads what it needs through a query instead.)
export const records = proxyActivities<RecordActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
});
