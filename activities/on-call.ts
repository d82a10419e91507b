/**
 * On-call activities (Opsgenie or PagerDuty, whichever adapter the worker was given). The page's alias is the incident's
 * key, which makes creating it idempotent: a retry finds the page the first attempt made, and both services also
 * deduplicate an open page by alias (Opsgenie's alias, PagerDuty's dedup_key) should the find miss it.
 */
import type { ChatPort } from './ports/chat.js';
import type { OnCallPort } from './ports/on-call.js';
import { mayExistAlready, runStep } from './run-step.js';

/** Who is on call as chat users: the usernames found for the on-call e-mail addresses, and the addresses chat lacks. */
export interface OnCallPeople {
  found: string[];
  missing: string[];
}

/**
 * How long a worker takes who it found on call for a schedule as still on call, for other incidents' first launches.
 * Short, because the answer decides who is invited to the channel (and, when the playbook says so, who commands and
 * who has the on-call tasks): around a handover, or after someone takes an override, an incident started within this
 * long of the last lookup invites the person who was on call up to this long ago. Paging is never cached: the page
 * goes to the schedule and Opsgenie or PagerDuty pages whoever is on call when it arrives. And `/incident retry oncall`
 * always asks the service.
 */
export const ON_CALL_CACHE_MS = 30_000;

/**
 * Who is on call per schedule, as this worker last found out, for ON_CALL_CACHE_MS. Keyed by the schedule as the
 * playbook names it (no name: the adapter's default schedule), so incidents of teams on different schedules never
 * share an answer. Lookups of the same schedule that overlap (an alert storm starting many incidents at once) make one
 * call. Nobody on call is not kept: that is a gap someone may be closing with an override right now.
 */
export class OnCallCache {
  private readonly known = new Map<string, { emails: string[]; at: number; people?: OnCallPeople }>();
  private readonly asking = new Map<string, Promise<string[]>>();

  constructor(
    private readonly ttlMs = ON_CALL_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A recent enough answer for this schedule, or undefined. */
  recent(schedule: string | undefined): string[] | undefined {
    const entry = this.known.get(keyOf(schedule));
    if (!entry) return undefined;
    if (this.now() - entry.at >= this.ttlMs) {
      this.known.delete(keyOf(schedule));
      return undefined;
    }
    return [...entry.emails];
  }

  /** The chat users found for a recent enough answer for this schedule (see rememberPeople), or undefined. */
  recentPeople(schedule: string | undefined): OnCallPeople | undefined {
    const people = this.recent(schedule) && this.known.get(keyOf(schedule))?.people;
    return people && { found: [...people.found], missing: [...people.missing] };
  }

  /**
   * Keeps the chat users found for `emails` with the answer they were found for, if that is still the schedule's
   * answer: they are as old as it, and go with it. (A username changes far more rarely than who is on call.)
   */
  rememberPeople(schedule: string | undefined, emails: readonly string[], people: OnCallPeople): void {
    const entry = this.known.get(keyOf(schedule));
    if (!entry || entry.emails.length !== emails.length || entry.emails.some((email, i) => email !== emails[i])) return;
    entry.people = { found: [...people.found], missing: [...people.missing] };
  }

  /** Asks (through `ask`, or a call for the same schedule under way) and keeps the answer. */
  async lookUp(schedule: string | undefined, ask: () => Promise<string[]>): Promise<string[]> {
    const key = keyOf(schedule);
    let asking = this.asking.get(key);
    if (!asking) {
      const startedAt = this.now();
      asking = ask().then((emails) => {
        this.keep(key, emails, startedAt);
        return emails;
      });
      this.asking.set(key, asking);
      const done = () => {
        if (this.asking.get(key) === asking) this.asking.delete(key);
      };
      asking.then(done, done);
    }
    return [...(await asking)];
  }

  /** The answer's age counts from when it was asked for: an answer is as old as the question. */
  private keep(key: string, emails: string[], at: number): void {
    for (const [other, entry] of this.known) if (this.now() - entry.at >= this.ttlMs) this.known.delete(other);
    if (emails.length === 0) this.known.delete(key);
    else this.known.set(key, { emails: [...emails], at });
  }
}

// The default schedule cannot collide with a named one: a schedule name is never empty.
const keyOf = (schedule: string | undefined): string => schedule ?? '';

export interface OnCallLookup {
  key: string;
  schedule?: string;
  /**
   * A first launch's lookup, which may take who this worker found on call for the schedule moments ago (see
   * ON_CALL_CACHE_MS); without it (`/incident retry oncall`, older runs) the service is asked.
   */
  fresh?: boolean;
}

/**
 * `people`: how on-call e-mail addresses become chat users (the chat adapter), for `onCallPeople`; a worker always
 * has one, some unit tests do without.
 */
export function createOnCallActivities(onCall: OnCallPort, cache = new OnCallCache(), people?: Pick<ChatPort, 'usernamesForEmails'>) {
  // The metrics tell the services apart: the same step on Opsgenie and on PagerDuty fails for different reasons.
  const system = onCall.provider;

  async function lookUpOnCall(request: OnCallLookup): Promise<{ emails: string[] }> {
    // Outside runStep: an answer kept from a moment ago is no call to the service, and its metrics count calls.
    const recent = request.fresh === true ? cache.recent(request.schedule) : undefined;
    if (recent) return { emails: recent };
    return runStep(system, 'oncall', request.key, async () => ({
      emails: await cache.lookUp(request.schedule, () => onCall.whoIsOnCall(request.schedule)),
    }));
  }

  return {
    /** The e-mail addresses of who is on call (runs from before incident-v11 map them to chat users themselves). */
    lookUpOnCall,

    /**
     * Who is on call, as chat users: the service's answer and the chat's users for it in one activity (runs under
     * incident-v11), so the launch's on-call branch, which the invitations and a checklist that shows the on-call wait
     * for, is one task and not two in a row. A first launch may take both from a lookup moments ago.
     */
    async onCallPeople(request: OnCallLookup): Promise<OnCallPeople> {
      if (!people) throw new Error('onCallPeople: this worker was built without a chat adapter to find the on-call people in');
      const known = request.fresh === true ? cache.recentPeople(request.schedule) : undefined;
      if (known) return known;
      const { emails } = await lookUpOnCall(request);
      if (emails.length === 0) return { found: [], missing: [] };
      const found = await runStep('mattermost', 'oncall', request.key, () => people.usernamesForEmails(emails));
      cache.rememberPeople(request.schedule, emails, found);
      return found;
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
