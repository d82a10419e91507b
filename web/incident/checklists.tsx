/**
 * The incident's checklists: each task with its state, who has it and when it is due, and what can be done with it
 * (complete, skip, reopen, assign, run its built-in action or its slash command); "Add a task" under each checklist.
 */
import { useRef } from 'preact/hooks';
import type { IncidentChecklist, IncidentTask, IncidentView, TaskState } from '../../domain/incident.js';
import { when } from '../incident-summary.js';
import type { FocusTarget } from './actions.js';
import { CommandButton, CommandForm } from './controls.js';

const STATE_LABELS: Record<TaskState, string> = { open: 'Open', in_progress: 'In progress', done: 'Done', skipped: 'Skipped' };

/** The built-in actions' names as a person says them (the `post-status-update` one is the status update form). */
const ACTION_LABELS: Record<string, string> = { 'page-oncall': 'Page the on-call', 'open-ticket': 'Open the Jira issue', 'start-meeting': 'Start the meeting' };

function TaskActions({ task, number, focusAfter }: { task: IncidentTask; number: string; focusAfter: FocusTarget }) {
  const route = (verb: string) => `tasks/${encodeURIComponent(task.id)}/${verb}`;
  const finished = task.state === 'done' || task.state === 'skipped';
  const actionLabel = task.action ? ACTION_LABELS[task.action.type] : undefined;
  const common = { focusAfter };
  return (
    <div class="task-actions">
      <div class="button-row">
        {finished ? (
          <CommandButton route={route('reopen')} label="Reopen" ariaLabel={`Reopen task ${number}`} what={`reopen task ${number}`} secondary {...common} />
        ) : (
          <>
            <CommandButton route={route('complete')} label="Complete" ariaLabel={`Complete task ${number}`} what={`complete task ${number}`} {...common} />
            <CommandButton route={route('skip')} label="Skip" ariaLabel={`Skip task ${number}`} what={`skip task ${number}`} secondary {...common} />
          </>
        )}
        {actionLabel ? (
          <CommandButton route={route('run-action')} label={actionLabel} ariaLabel={`${actionLabel} (task ${number})`} what={`run task ${number}'s action`} secondary {...common} />
        ) : null}
        {task.command ? (
          // The bot runs it in the channel, if the operator allows its trigger (TASK_COMMANDS_ALLOWED); a refusal says so.
          <CommandButton route={route('run-command')} label={`Run ${task.command.split(/\s/, 1)[0]}`} ariaLabel={`Run ${task.command.split(/\s/, 1)[0]} (task ${number})`} what={`run task ${number}'s command`} secondary {...common} />
        ) : null}
        {task.action?.type === 'post-status-update' ? <a href="#status-update-message">Post a status update</a> : null}
      </div>
      <CommandForm
        id={`assign-${task.id}`}
        label={`Assignee of task ${number}`}
        submit="Assign"
        submitAriaLabel={`Assign task ${number}`}
        route={route('assign')}
        field="assignee"
        what={`assign task ${number}`}
        initial={task.assignee ?? ''}
        emptyAs={null}
        hint="A username; empty unassigns the task."
      />
    </div>
  );
}

function Task({ task, number, editable }: { task: IncidentTask; number: string; editable: boolean }) {
  const title = useRef<HTMLHeadingElement>(null);
  const overdue = task.dueAt && !['done', 'skipped'].includes(task.state) && Date.parse(task.dueAt) < Date.now();
  return (
    <li class={`task task-${task.state}`}>
      <h4 ref={title} tabIndex={-1}>
        <span class="number">{number}</span> {task.title}
      </h4>
      <p class="task-meta">
        <span class={`badge task-state-${task.state}`}>{STATE_LABELS[task.state]}</span>
        {task.assignee ? <span>Assigned to @{task.assignee}</span> : <span>Unassigned</span>}
        {task.dueAt ? (
          <span class={overdue ? 'error-text' : undefined}>
            {overdue ? 'Overdue since' : 'Due'} <time dateTime={task.dueAt}>{when(task.dueAt)}</time>
          </span>
        ) : null}
        {task.stateChangedBy && task.stateChangedAt ? (
          <span>
            {STATE_LABELS[task.state]} by @{task.stateChangedBy}, <time dateTime={task.stateChangedAt}>{when(task.stateChangedAt)}</time>
          </span>
        ) : null}
      </p>
      {task.description ? <p class="task-description">{task.description}</p> : null}
      {task.command ? (
        <p class="task-command">
          Its command: <code>{task.command}</code>
        </p>
      ) : null}
      {editable ? <TaskActions task={task} number={number} focusAfter={title} /> : null}
    </li>
  );
}

function Checklist({ checklist, position, editable }: { checklist: IncidentChecklist; position: number; editable: boolean }) {
  const headingId = `checklist-${position}`;
  return (
    <section class="checklist" aria-labelledby={headingId}>
      <h3 id={headingId}>{checklist.title}</h3>
      {checklist.tasks.length ? (
        <ol class="tasks">
          {checklist.tasks.map((task, t) => (
            <Task key={task.id} task={task} number={`${position}.${t + 1}`} editable={editable} />
          ))}
        </ol>
      ) : (
        <p class="note">No tasks yet.</p>
      )}
      {editable ? (
        <CommandForm
          id={`add-task-${position}`}
          label={`Add a task to "${checklist.title}"`}
          submit="Add task"
          submitAriaLabel={`Add task to "${checklist.title}"`}
          route={`checklists/${encodeURIComponent(checklist.id)}/tasks`}
          field="title"
          what="add the task"
          clearOnSuccess
          placeholder="What needs doing"
        />
      ) : null}
    </section>
  );
}

export function Checklists({ view, editable }: { view: IncidentView; editable: boolean }) {
  return (
    <section class="panel" aria-labelledby="checklists-title">
      <h2 id="checklists-title">Checklists</h2>
      {view.checklists.length ? (
        view.checklists.map((checklist, c) => <Checklist key={checklist.id} checklist={checklist} position={c + 1} editable={editable} />)
      ) : (
        <p class="note">This incident's playbook has no checklists.</p>
      )}
    </section>
  );
}
