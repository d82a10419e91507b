/**
 * The incident's header: who and what it is, where it lives elsewhere (the Mattermost channel, the Jira issue, the Zoom
 * meeting), and the actions its status allows: acknowledge, severity, commander, resolve, reopen, close.
 */
import { useRef } from 'preact/hooks';
import type { IncidentView } from '../../domain/incident.js';
import { STATUS_LABELS } from '../incident-filters.js';
import { when } from '../incident-summary.js';
import { INCIDENT_TITLE_ID } from './actions.js';
import { CommandButton, CommandForm } from './controls.js';

function Facts({ view }: { view: IncidentView }) {
  const facts: Array<[string, string, string?]> = [
    ['Severity', view.severity],
    ['Commander', `@${view.commander}`],
    ['Reporter', `@${view.reporter}`],
    ['Team', view.team],
    ['Playbook', `${view.playbook.title} (v${view.playbook.version})`],
    ['Reported', when(view.reportedAt), view.reportedAt],
  ];
  if (view.acknowledgedAt) facts.push(['Acknowledged', when(view.acknowledgedAt), view.acknowledgedAt]);
  if (view.resolvedAt) facts.push(['Resolved', when(view.resolvedAt), view.resolvedAt]);
  if (view.closedAt) facts.push(['Closed', when(view.closedAt), view.closedAt]);
  facts.push(['Tasks', `${view.progress.done + view.progress.skipped} of ${view.progress.total} done or skipped`]);
  return (
    <dl class="facts">
      {facts.map(([term, value, instant]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{instant ? <time dateTime={instant}>{value}</time> : value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Links({ view }: { view: IncidentView }) {
  const { links } = view;
  const items: Array<[string, string]> = [];
  if (links.channelUrl) items.push([`Mattermost channel${links.channelName ? ` ~${links.channelName}` : ''}`, links.channelUrl]);
  if (links.ticketUrl) items.push([`Jira issue${links.ticketKey ? ` ${links.ticketKey}` : ''}`, links.ticketUrl]);
  if (links.meetingUrl) items.push(['Zoom meeting', links.meetingUrl]);
  if (!items.length) return null;
  return (
    <nav aria-label="Elsewhere" class="incident-links">
      <ul>
        {items.map(([label, url]) => (
          <li key={label}>
            {/* Another site: a new tab keeps this live page open. */}
            <a href={url} target="_blank" rel="noopener noreferrer">
              {label}
              <span class="visually-hidden"> (opens in a new tab)</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Actions({ view }: { view: IncidentView }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const focus = { focusAfter: heading };
  return (
    <section class="panel header-actions" aria-labelledby="incident-actions">
      <h2 id="incident-actions" ref={heading} tabIndex={-1}>
        Actions
      </h2>
      <div class="button-row">
        {view.status === 'reported' ? <CommandButton route="acknowledge" label="Acknowledge" what="acknowledge the incident" {...focus} /> : null}
        {view.status === 'active' ? <CommandButton route="resolve" label="Resolve" what="resolve the incident" {...focus} /> : null}
        {view.status === 'resolved' ? <CommandButton route="reopen" label="Reopen" what="reopen the incident" {...focus} /> : null}
        {view.status === 'resolved' ? <CommandButton route="close" label="Close for good" what="close the incident" secondary {...focus} /> : null}
      </div>
      <div class="form-grid">
        <CommandForm
          id="severity"
          label="Severity"
          submit="Change severity"
          route="severity"
          field="severity"
          what="change the severity"
          initial={view.severity}
          choices={view.playbook.severities.map((severity) => ({ value: severity, label: severity }))}
        />
        <CommandForm
          id="commander"
          label="Commander (a username)"
          submit="Change commander"
          route="commander"
          field="commander"
          what="change the commander"
          initial={view.commander}
        />
      </div>
    </section>
  );
}

export function IncidentHeader({ view, editable }: { view: IncidentView; editable: boolean }) {
  return (
    <header class="incident-header">
      <h1 id={INCIDENT_TITLE_ID} tabIndex={-1}>
        {view.number !== undefined ? <span class="number">#{view.number} </span> : null}
        {view.name}
      </h1>
      <p class="headline">
        <span class={`badge status-${view.status}`}>{STATUS_LABELS[view.status] ?? view.status}</span>{' '}
        <span class="badge">{view.severity}</span>
      </p>
      {view.summary ? <p class="summary">{view.summary}</p> : null}
      <Facts view={view} />
      <Links view={view} />
      {editable ? <Actions view={view} /> : null}
    </header>
  );
}
