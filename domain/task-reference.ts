/**
 * Finding a task the way people name it: by its number as the checklist post shows it ("2.3" = third task of the second
 * checklist) or by its ID ("triage-page-oncall").
 */
import { IncidentCommandError } from './errors.js';
import type { IncidentChecklist, IncidentState, IncidentTask } from './incident.js';

export interface FoundTask {
  checklist: IncidentChecklist;
  task: IncidentTask;
  /** "2.3" */
  number: string;
}

const NUMBERED = /^(\d+)\.(\d+)$/;

export function findTask(state: IncidentState, reference: string): FoundTask {
  const ref = reference.trim();
  const numbered = NUMBERED.exec(ref);
  if (numbered) {
    const c = Number(numbered[1]);
    const t = Number(numbered[2]);
    const checklist = state.checklists[c - 1];
    const task = checklist?.tasks[t - 1];
    if (!checklist || !task) {
      throw new IncidentCommandError(
        'not_found',
        `task ${ref} does not exist: ${describeNumbering(state)}`,
      );
    }
    return { checklist, task, number: `${c}.${t}` };
  }
  for (const [c, checklist] of state.checklists.entries()) {
    const t = checklist.tasks.findIndex((task) => task.id === ref);
    if (t >= 0) return { checklist, task: checklist.tasks[t]!, number: `${c + 1}.${t + 1}` };
  }
  throw new IncidentCommandError(
    'not_found',
    `no task "${ref}" in incident ${state.id}: name a task by its number (like 1.2) or its ID`,
  );
}

export function findChecklist(state: IncidentState, reference: string): { checklist: IncidentChecklist; number: number } {
  const ref = reference.trim();
  if (/^\d+$/.test(ref)) {
    const checklist = state.checklists[Number(ref) - 1];
    if (checklist) return { checklist, number: Number(ref) };
  } else {
    const index = state.checklists.findIndex(
      (checklist) => checklist.id === ref || checklist.title.toLowerCase() === ref.toLowerCase(),
    );
    if (index >= 0) return { checklist: state.checklists[index]!, number: index + 1 };
  }
  const known = state.checklists.map((checklist, i) => `${i + 1} (${checklist.id})`).join(', ');
  throw new IncidentCommandError(
    'not_found',
    `no checklist "${ref}" in incident ${state.id}; checklists: ${known || 'none'}`,
  );
}

function describeNumbering(state: IncidentState): string {
  if (state.checklists.length === 0) return 'the incident has no checklists';
  return state.checklists.map((checklist, i) => `checklist ${i + 1} has ${checklist.tasks.length} task(s)`).join(', ');
}
