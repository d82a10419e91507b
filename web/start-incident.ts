/**
 * What the "Start an incident" form sends and how it reads the answer: the body of POST /api/v1/incidents, and the API's
 * problems ("name: an incident needs a name") sorted to the fields they are about.
 */
import { ApiError } from './api.js';

export const START_FIELDS = ['reporter', 'playbook', 'name', 'summary', 'severity', 'team', 'commander'] as const;
export type StartField = (typeof START_FIELDS)[number];
export type StartDraft = Record<StartField, string>;

export const EMPTY_DRAFT: StartDraft = { reporter: '', playbook: '', name: '', summary: '', severity: '', team: '', commander: '' };

/** The playbooks a new API ships (playbooks/*.yaml): offered when there is no playbook store to list them. */
export const SHIPPED_PLAYBOOKS = [
  { id: 'blank', title: 'Blank' },
  { id: 'service-outage', title: 'Service outage' },
  { id: 'security-incident', title: 'Security incident' },
];

/** The playbook the form starts with: the blank one, the API's own default, when it is offered. */
export function firstPlaybook(playbooks: Array<{ id: string }>): string {
  return playbooks.find((playbook) => playbook.id === 'blank')?.id ?? playbooks[0]?.id ?? '';
}

/**
 * The request body: fields left empty are left out (the playbook's defaults apply). The reporter is sent only when
 * the form asks for it (open mode); otherwise the API names the signed-in person.
 */
export function startBody(draft: StartDraft, askReporter: boolean): Record<string, string> {
  const body: Record<string, string> = {};
  for (const field of START_FIELDS) {
    const value = draft[field].trim();
    if (value && (field !== 'reporter' || askReporter)) body[field] = value;
  }
  return body;
}

/** Required fields left empty, checked before asking the API. */
export function missingFields(draft: StartDraft, askReporter: boolean): Partial<Record<StartField, string>> {
  const missing: Partial<Record<StartField, string>> = {};
  if (askReporter && !draft.reporter.trim()) missing.reporter = 'Enter your Mattermost username';
  if (!draft.name.trim()) missing.name = 'Enter a name for the incident';
  return missing;
}

export interface StartProblems {
  fields: Partial<Record<StartField, string>>;
  /** What is about no field (or a field the form does not have), in words. */
  general: string[];
}

const isField = (name: string): name is StartField => (START_FIELDS as readonly string[]).includes(name);

/** The API's refusal, at the fields it names (`path: message`); a 403 says, in words, that the playbook is closed. */
export function problemsOf(error: Error): StartProblems {
  const result: StartProblems = { fields: {}, general: [] };
  if (!(error instanceof ApiError)) return { ...result, general: [error.message] };
  if (error.status === 403) {
    return { ...result, general: [`You may not start an incident from this playbook: ${error.message}`] };
  }
  for (const problem of error.problems) {
    const match = /^([a-z]+)[.:]\s*(.*)$/i.exec(problem);
    const field = match?.[1];
    if (field && isField(field) && !result.fields[field]) result.fields[field] = match[2] || problem;
    else result.general.push(problem);
  }
  if (!error.problems.length || (Object.keys(result.fields).length === 0 && result.general.length === 0)) result.general.push(error.message);
  return result;
}

/** The severity a new incident gets when none is chosen, as the API picks it (its default, else the third, or last). */
export function defaultSeverityOf(playbook: { severities: string[]; defaultSeverity?: string }): string | undefined {
  return playbook.defaultSeverity ?? playbook.severities[Math.min(2, playbook.severities.length - 1)];
}
