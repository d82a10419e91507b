/**
 * Status updates: the latest ones, a form to post one (which also acknowledges a reported incident), and, once the
 * playbook's reminder is due, a snooze for it.
 */
import { useEffect, useState } from 'preact/hooks';
import type { IncidentView } from '../../domain/incident.js';
import { when } from '../incident-summary.js';
import { CommandForm } from './controls.js';

const SHOWN = 5;
const SNOOZES = [
  { value: '30m', label: '30 minutes' },
  { value: '1h', label: '1 hour' },
  { value: '2h', label: '2 hours' },
  { value: '4h', label: '4 hours' },
];

/** When the next reminder is due, as the workflow counts it (domain/reminders.ts statusReminderDueAt). */
function reminderDueAt(view: IncidentView): number | undefined {
  const updates = view.playbook.statusUpdates;
  if (!updates || updates.enabled === false || updates.reminderIntervalMs === undefined) return undefined;
  if (view.status !== 'reported' && view.status !== 'active') return undefined;
  const reminder = view.statusReminder ?? { sent: 0 };
  const lastUpdate = view.statusUpdates.at(-1)?.at ?? view.reportedAt;
  const base = Math.max(Date.parse(lastUpdate), reminder.lastSentAt ? Date.parse(reminder.lastSentAt) : 0) + updates.reminderIntervalMs;
  return reminder.snoozedUntil ? Math.max(base, Date.parse(reminder.snoozedUntil)) : base;
}

/** The time now, moving every half minute, so "due" appears without a change to the incident. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function Reminder({ view, editable }: { view: IncidentView; editable: boolean }) {
  const now = useNow();
  const dueAt = reminderDueAt(view);
  if (dueAt === undefined) return null;
  const instant = new Date(dueAt).toISOString();
  if (dueAt > now) {
    return (
      <p class="note">
        Next update due <time dateTime={instant}>{when(instant)}</time>
        {view.statusReminder?.snoozedUntil && Date.parse(view.statusReminder.snoozedUntil) >= dueAt ? ' (reminder snoozed)' : ''}.
      </p>
    );
  }
  return (
    <div class="reminder-due">
      <p class="error-text">
        An update is due since <time dateTime={instant}>{when(instant)}</time>.
      </p>
      {editable ? <CommandForm id="snooze" label="Snooze the reminder for" submit="Snooze" route="status-updates/reminder/snooze" field="for" what="snooze the reminder" initial="1h" choices={SNOOZES} /> : null}
    </div>
  );
}

export function StatusUpdates({ view, editable }: { view: IncidentView; editable: boolean }) {
  const enabled = view.playbook.statusUpdates?.enabled !== false;
  const latest = view.statusUpdates.slice(-SHOWN).reverse();
  return (
    <section class="panel" aria-labelledby="updates-title">
      <h2 id="updates-title">Status updates</h2>
      {!enabled ? <p class="note">This incident's playbook turns status updates off.</p> : null}
      <Reminder view={view} editable={editable} />
      {latest.length ? (
        <ol class="updates">
          {latest.map((update) => (
            <li key={update.number}>
              <p class="update-meta">
                Update {update.number} by @{update.author}, <time dateTime={update.at}>{when(update.at)}</time>
              </p>
              <p class="update-message">{update.message}</p>
            </li>
          ))}
        </ol>
      ) : enabled ? (
        <p class="note">No status update yet.</p>
      ) : null}
      {view.statusUpdates.length > SHOWN ? <p class="hint">The newest {SHOWN} of {view.statusUpdates.length}; the timeline has every one.</p> : null}
      {editable && enabled ? (
        <CommandForm
          id="status-update-message"
          label="Post a status update"
          submit="Post update"
          route="status-updates"
          field="message"
          what="post the status update"
          multiline
          clearOnSuccess
          hint="Posted in the incident channel (and its broadcast channels)."
        />
      ) : null}
    </section>
  );
}
