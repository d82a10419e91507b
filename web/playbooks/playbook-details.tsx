/**
 * A playbook in words: its severities, checklists and their tasks, who may run and edit it, and what it does in the
 * other tools (Jira, Zoom, Opsgenie, webhooks). Read from the definition the API answers, every default filled in.
 */
import type { Playbook, PlaybookTask } from '../../domain/playbook/schema.js';

type Audience = Playbook['permissions']['run'];

/** Users and groups; "everyone in the team" when both lists are empty, as the API's permission check reads them. */
function audience(who: Audience): string {
  const names = [...who.users.map((user) => `@${user.replace(/^@/, '')}`), ...who.groups.map((group) => `group ${group}`)];
  return names.length ? names.join(', ') : 'everyone in the team';
}

/** Who joins the channel at start besides the reporter, the commander and the on-call. */
function invited(who: Audience): string {
  return who.users.length || who.groups.length ? audience(who) : 'nobody else';
}

/** The severity a new incident gets: the one named, else the third (or the last, if fewer). */
function defaultSeverityOf(playbook: Playbook): string | undefined {
  return playbook.defaultSeverity ?? playbook.severities[Math.min(2, playbook.severities.length - 1)];
}

function taskDetails(task: PlaybookTask): string[] {
  const details: string[] = [];
  if (task.assignee) details.push(`owner @${task.assignee.replace(/^@/, '')}`);
  if (task.assigneeRole) details.push(`owner: the ${task.assigneeRole === 'oncall' ? 'on-call' : task.assigneeRole}`);
  if (task.due) details.push(`due ${task.due} after the start`);
  if (task.command) details.push(`runs ${task.command}`);
  if (task.action) details.push(`action: ${task.action.type}`);
  return details;
}

function Checklists({ playbook }: { playbook: Playbook }) {
  if (!playbook.checklists.length) return <p class="note">No checklists.</p>;
  return (
    <>
      {playbook.checklists.map((checklist, index) => (
        <section key={checklist.id ?? index} class="checklist" aria-labelledby={`checklist-${index}`}>
          <h3 id={`checklist-${index}`}>{checklist.title}</h3>
          {checklist.description ? <p>{checklist.description}</p> : null}
          {checklist.tasks.length ? (
            <ol>
              {checklist.tasks.map((task, t) => (
                <li key={task.id ?? t}>
                  {task.title}
                  {taskDetails(task).length ? <span class="task-details"> ({taskDetails(task).join('; ')})</span> : null}
                </li>
              ))}
            </ol>
          ) : (
            <p class="note">No tasks.</p>
          )}
        </section>
      ))}
    </>
  );
}

/** What the playbook does in other tools, one line each; the tools it leaves alone are not listed. */
function integrations(playbook: Playbook): string[] {
  const lines: string[] = [];
  const { jira, zoom, opsgenie, statusUpdates, retrospective, alerts } = playbook;
  if (jira.enabled) lines.push(`Jira: opens an issue${jira.project ? ` in ${jira.project}` : ''}${jira.commentOnResolve ? ', comments on it at resolution' : ''}${jira.transitionOnResolve ? ` and moves it through "${jira.transitionOnResolve}"` : ''}`);
  if (zoom.enabled) lines.push(`Zoom: starts a meeting${zoom.host ? ` hosted by ${zoom.host}` : ''}`);
  if (opsgenie.inviteOnCall || opsgenie.page) {
    const what = [opsgenie.inviteOnCall ? 'invites the on-call' : '', opsgenie.page ? `pages them (${opsgenie.priority})` : ''].filter(Boolean).join(' and ');
    lines.push(`Opsgenie: ${what}${opsgenie.schedule ? ` from schedule "${opsgenie.schedule}"` : ''}`);
  }
  if (statusUpdates.enabled) {
    const reminder = statusUpdates.reminder ? `, reminds every ${statusUpdates.reminder}` : '';
    const copies = statusUpdates.broadcastChannels.length ? `, copied to ${statusUpdates.broadcastChannels.join(', ')}` : '';
    lines.push(`Status updates${reminder}${copies}`);
  }
  for (const webhook of statusUpdates.webhooks) lines.push(`Webhook ${webhook.url} on ${webhook.events.join(', ')}`);
  if (retrospective.enabled) lines.push('Retrospective after resolution');
  if (alerts.autoResolve) lines.push("Resolves itself when its alert group's alerts resolve");
  return lines;
}

export function PlaybookDetails({ playbook }: { playbook: Playbook }) {
  const defaultSeverity = defaultSeverityOf(playbook);
  const tools = integrations(playbook);
  const facts: Array<[string, string]> = [
    ['Team', playbook.team ?? 'any team'],
    ['Commander', playbook.defaultCommander === 'reporter' ? 'the reporter' : playbook.defaultCommander === 'oncall' ? 'the on-call' : playbook.defaultCommander],
    ['Who may run it', audience(playbook.permissions.run)],
    ['Who may edit it', audience(playbook.permissions.edit)],
    ['Invited at start', invited(playbook.invitees)],
  ];
  return (
    <>
      {playbook.description ? <p class="summary">{playbook.description}</p> : null}
      <dl class="facts">
        {facts.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <section aria-labelledby="severities-title">
        <h2 id="severities-title">Severities</h2>
        <ol class="inline-list">
          {playbook.severities.map((severity) => (
            <li key={severity}>
              {severity}
              {severity === defaultSeverity ? <strong> (default)</strong> : null}
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="checklists-title">
        <h2 id="checklists-title">Checklists</h2>
        <Checklists playbook={playbook} />
      </section>
      <section aria-labelledby="integrations-title">
        <h2 id="integrations-title">What it does</h2>
        {tools.length ? (
          <ul>
            {tools.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        ) : (
          <p class="note">Nothing beyond the incident channel.</p>
        )}
        {playbook.keywords.length ? <p>Suggested in channels when someone writes: {playbook.keywords.join(', ')}</p> : null}
      </section>
    </>
  );
}
