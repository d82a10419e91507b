/**
 * How playbook problems are worded: values named in plain words, a misspelt field matched to the one probably meant,
 * and zod issues turned into `path: reason` problems (one per unknown field).
 */
import type { z } from 'zod';

/** How a value is named in a message: `"soon"`, `30`, `true`, `a list`, `a mapping`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

const ALIASES: Record<string, string> = {
  items: 'tasks',
  steps: 'tasks',
  owner: 'assignee',
  role: 'assigneeRole',
  slashCommand: 'command',
  dueIn: 'due',
  dueAfter: 'due',
  broadcastChannel: 'broadcastChannels',
  webhookUrl: 'webhooks',
  webhook: 'webhooks',
  secret: 'secretEnv',
  hmacSecret: 'secretEnv',
  channelName: 'nameTemplate',
  name: 'nameTemplate',
  header: 'headerTemplate',
  purpose: 'purposeTemplate',
  category: 'sidebarCategory',
  commander: 'defaultCommander',
  members: 'invitees',
  invite: 'invitees',
  public: 'private',
};

/** The known word a misspelt one most likely meant, if any is close enough. */
export function closestWord(word: string, known: readonly string[]): string | undefined {
  const camel = word.replace(/[_-]+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
  const alias = ALIASES[camel];
  if (alias && known.includes(alias)) return alias;
  const exact = known.find((k) => k.toLowerCase() === word.toLowerCase() || k.toLowerCase() === camel.toLowerCase());
  if (exact) return exact;
  const extended = known.filter((k) => word.length >= 3 && k.toLowerCase().startsWith(word.toLowerCase()));
  if (extended.length === 1) return extended[0];
  let best: { word: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(camel.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { word: candidate, distance };
  }
  const allowed = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  return best && best.distance <= allowed ? best.word : undefined;
}

/**
 * Which playbook the first word of `/incident start <word> ...` names, when it is none exactly: `exact` when it is one
 * but for case, `-` or `_` (`Service_Outage`), `guess` when it looks like a misspelt one (`servce-outage`): an ID's
 * shape (a `-` or `_` in it) within the misspelling distance, or a long plain word one letter off. A plain word that
 * is merely close (`black` for `blank`) is neither: it begins the name of an incident with the Blank playbook.
 */
export function playbookMeant(word: string, ids: readonly string[]): { exact?: string; guess?: string } {
  const plain = (text: string) => text.toLowerCase().replace(/[-_]+/g, '');
  const exact = ids.find((id) => plain(id) === plain(word));
  if (exact) return { exact };
  const idShaped = /[-_]/.test(word);
  if (!idShaped && word.length < 6) return {};
  const allowed = idShaped ? (word.length <= 8 ? 2 : 3) : 1;
  let best: { id: string; distance: number } | undefined;
  for (const id of ids) {
    const distance = editDistance(word.toLowerCase(), id.toLowerCase());
    if (!best || distance < best.distance) best = { id, distance };
  }
  return best && best.distance <= allowed ? { guess: best.id } : {};
}

export function unknownFieldMessage(key: string, known: readonly string[]): string {
  if (/secret|token|password/i.test(key) && known.includes('secretEnv')) {
    return `unknown field "${key}": never put a secret in a playbook; name the environment variable that holds it in "secretEnv"`;
  }
  const guess = closestWord(key, known);
  return guess ? `unknown field "${key}" (did you mean "${guess}"?)` : `unknown field "${key}"; expected one of ${known.join(', ')}`;
}

/** Joins the messages of several unknown fields in one zod issue; `playbookProblems` splits them apart again. */
export const UNKNOWN_FIELD_SEPARATOR = '; ';

export interface PlaybookProblem {
  /** Where, in bracket style: `checklists[1].tasks[3].due`; empty for the playbook as a whole. */
  path: string;
  /** A plain reason, e.g. `expected a duration like "30m", got "soon"`. */
  message: string;
}

/** `checklists[1].tasks[3].due` from ['checklists', 1, 'tasks', 3, 'due']. */
export function formatPlaybookPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** Every problem of a zod error on a playbook, one per unknown field, with bracket-style paths. */
export function playbookProblems(error: z.ZodError): PlaybookProblem[] {
  const problems: PlaybookProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const messages = issue.message.split(UNKNOWN_FIELD_SEPARATOR + 'unknown field');
      issue.keys.forEach((key, i) => {
        const message = messages.length === issue.keys.length ? (i === 0 ? messages[0]! : `unknown field${messages[i]}`) : `unknown field "${key}"`;
        problems.push({ path: formatPlaybookPath([...issue.path, key]), message });
      });
    } else {
      problems.push({ path: formatPlaybookPath(issue.path), message: issue.message });
    }
  }
  return problems;
}

/** One line per problem: `path: message` (just the message for the playbook as a whole). */
export function formatPlaybookProblems(problems: readonly PlaybookProblem[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('\n');
}
