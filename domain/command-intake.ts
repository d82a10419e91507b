/**
 * Checks on a command where it comes in (the REST route, the Update's validator), beside its schema. They are not in
 * the schema because the schema is applied again when an incident replays its history, and what an older version
 * accepted must replay the same; a validator runs only for new commands.
 *
 * - links people click are http(s) only;
 * - Mattermost's special mentions (all, channel, here) are never anybody's username: a commander, assignee or actor
 *   "@all" would ping the whole channel each time the bot names them;
 * - an incident's name and a task's title are one line of text: a line break would let them draw what the bot's
 *   checklist post does not say (a forged task line), and control characters and text-direction overrides show
 *   something other than what they are (in the channel, the Jira summary, the page).
 */
import { IncidentCommandError } from './errors.js';
import { checkCommandLinks } from './web-links.js';

export const SPECIAL_MENTION_NAMES: readonly string[] = ['all', 'channel', 'here'];

/** The payload fields that name a person the incident will address (or names as the one who acted). */
const PERSON_FIELDS = ['commander', 'assignee', 'reporter', 'actor'] as const;

/** The one-line fields of a command (`start`: the incident's own). */
const ONE_LINE_FIELDS: Record<string, readonly string[]> = { start: ['name'], addTask: ['title'] };

/** C0 and C1 control characters (line breaks and tabs among them) and Unicode's text-direction overrides and isolates. */
const NOT_ONE_LINE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/** Why `text` is not one line of plain text, or undefined when it is. */
export function oneLineProblem(text: string): string | undefined {
  return NOT_ONE_LINE.test(text) ? 'must be one line: no line breaks, tabs, control characters or text-direction overrides' : undefined;
}

/** `text` as one line: every run of line breaks, control characters and direction overrides becomes one space. */
export function toOneLine(text: string): string {
  return text.replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069]+/gu, ' ').trim();
}

export function isSpecialMentionName(username: string): boolean {
  return SPECIAL_MENTION_NAMES.includes(username.trim().replace(/^@/, '').toLowerCase());
}

export function checkIncomingCommand(name: string, payload: unknown): void {
  checkCommandLinks(name, payload);
  const fields = (payload ?? {}) as Record<string, unknown>;
  for (const field of ONE_LINE_FIELDS[name] ?? []) {
    const value = fields[field];
    const problem = typeof value === 'string' ? oneLineProblem(value) : undefined;
    if (problem) throw new IncidentCommandError('invalid_input', `invalid ${name} payload: ${field} ${problem}`, [`${field}: ${problem}`]);
  }
  for (const field of PERSON_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string' && isSpecialMentionName(value)) {
      const problem = `${field}: "${value.trim()}" is a Mattermost special mention (@all, @channel, @here), not a person`;
      throw new IncidentCommandError('invalid_input', `invalid ${name} payload: ${problem}`, [problem]);
    }
  }
}
